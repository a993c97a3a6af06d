plugin-$(CONFIG_WEB) += web
src-$(CONFIG_WEB) += $(wildcard plugins/web/*.c)
libs-$(CONFIG_WEB) += -lmicrohttpd
