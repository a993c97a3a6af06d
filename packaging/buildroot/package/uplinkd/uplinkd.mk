################################################################################
#
# uplinkd
#
################################################################################

UPLINKD_VERSION = 0.1
UPLINKD_SITE = $(BR2_EXTERNAL_UPLINKD_PATH)/../..
UPLINKD_SITE_METHOD = local
UPLINKD_LICENSE = GPL-2.0+
UPLINKD_DEPENDENCIES = host-python3 host-python-kconfiglib libmnl libconfig json-c libcap-ng \
	$(if $(BR2_PACKAGE_UPLINKD_WEB),libmicrohttpd)
UPLINKD_BOARD = $(call qstrip,$(BR2_PACKAGE_UPLINKD_BOARD))

define UPLINKD_CONFIGURE_CMDS
	$(MAKE) -C $(@D) PY=$(HOST_DIR)/bin/python3 BOARD=$(UPLINKD_BOARD) defconfig
	$(if $(BR2_PACKAGE_UPLINKD_WEB),,sed -i 's/^CONFIG_WEB=y/# CONFIG_WEB is not set/' $(@D)/build/.config)
endef

define UPLINKD_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) PY=$(HOST_DIR)/bin/python3 \
		CC="$(TARGET_CC)" CFLAGS="$(TARGET_CFLAGS)" LDFLAGS="$(TARGET_LDFLAGS)" all
endef

define UPLINKD_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 $(@D)/build/uplinkd $(TARGET_DIR)/usr/sbin/uplinkd
	$(INSTALL) -D -m 0755 $(@D)/build/uplinkctl $(TARGET_DIR)/usr/bin/uplinkctl
	$(INSTALL) -D -m 0640 $(@D)/board/$(UPLINKD_BOARD)/uplinkd.conf \
		$(TARGET_DIR)/etc/uplinkd/uplinkd.conf
	$(INSTALL) -d -m 0755 $(TARGET_DIR)/etc/uplinkd/hooks.d
	$(INSTALL) -D -m 0644 $(@D)/rootfs/etc/sysctl.d/60-uplinkd.conf \
		$(TARGET_DIR)/etc/sysctl.d/60-uplinkd.conf
endef

define UPLINKD_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(@D)/rootfs/etc/init.d/S50uplinkd $(TARGET_DIR)/etc/init.d/S50uplinkd
endef

define UPLINKD_INSTALL_INIT_SYSTEMD
	$(INSTALL) -d -m 0755 $(TARGET_DIR)/usr/lib/systemd/system
	sed -e 's|@SBINDIR@|/usr/sbin|g' -e 's|@SYSCONFDIR@|/etc|g' \
		$(@D)/packaging/uplinkd.service >$(TARGET_DIR)/usr/lib/systemd/system/uplinkd.service
endef

define UPLINKD_USERS
	uplinkd -1 uplinkd -1 * /var/lib/uplinkd - - uplinkd dual-WAN failover daemon
endef

$(eval $(generic-package))
