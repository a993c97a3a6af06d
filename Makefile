# uplinkd - the one entry point.
#
#   make deps        install every Debian package the build, tests, demo and bench need
#   make defconfig   configure for BOARD (default: lab); menuconfig, savedefconfig too
#   make             build/uplinkd and build/uplinkctl (-Wall -Wextra -Werror)
#   make check       everything: builds (defconfig, allno, allyes, ASan+UBSan), unit
#                    tests, fuzzers (briefly), code rules, lab tests in namespaces
#   make demo        the daemon in a simulated two-ISP network, with a fault story
#   make bench       failover outage, CPU, RSS, parser throughput -> test/bench/results.md
#   make soak        chaos soak: seeded random faults in the lab for SOAK_MINUTES (10), with
#                    invariants checked all the time; SOAK_SEED=N replays a schedule
#   make image BOARD=qemu-x86_64   firmware image from Debian packages -> build/image/BOARD/
#   make qemu        boot the qemu-x86_64 image wired into a lab network (interactive)
#   make check-image the image lab: the booted image is the router (test/image/)
#   make check-arm64 the arm64 board (nanopi-r4s), cross-built, boots under qemu-system-aarch64
#   make check-boards  every board builds and its default uplinkd.conf passes uplinkd -t
#   make install     PREFIX=/usr/local DESTDIR=: daemon, CLI, systemd unit, example config
#   make deb         build/uplinkd_VERSION_ARCH.deb; `make deb-test` installs it into an empty root
#
# Sources: daemon/*.c form uplinkd, cli/*.c form uplinkctl; each
# plugins/X/plugin.mk adds its files when its Kconfig symbol is set; each
# test/unit/X.mk and test/fuzz/X.mk declares a test and the sources it links.

BUILD ?= build
BOARD ?= lab
PY := /usr/bin/python3
export KCONFIG_CONFIG := $(BUILD)/.config

CC ?= gcc
FUZZ_CC := clang
SAN ?=
OPT ?= -O2
CFLAGS ?= $(OPT) -g
WARN := -Wall -Wextra -Werror -Wno-missing-field-initializers
CPPFLAGS := -std=c11 -D_GNU_SOURCE -Idaemon -I$(BUILD) -MMD -MP
LIBS := -lmnl -lnftnl -lconfig -ljson-c -lcap-ng -lm
LDFLAGS ?=

ifneq ($(SAN),)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# Which plugins: read the Kconfig result (CONFIG_X=y lines). On a fresh machine
# kconfiglib arrives with `make deps`; the targets that need both run deps first
# and then a sub-make, which reads the configuration.
KCONFIGLIB := $(wildcard /usr/lib/python3/dist-packages/kconfiglib.py)
ifneq ($(KCONFIGLIB),)
-include $(BUILD)/config.mk
endif

ifeq ($(CONFIG_HARDENING),y)
ifeq ($(SAN),)
CFLAGS += -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDFLAGS += -pie -Wl,-z,relro,-z,now
endif
endif

plugin-y :=
src-y :=
libs-y :=
include $(sort $(wildcard plugins/*/plugin.mk))

CTL_SRC := $(sort $(wildcard cli/*.c))
CORE_SRC := $(filter-out daemon/main.c,$(sort $(wildcard daemon/*.c)))
DAEMON_SRC := daemon/main.c $(CORE_SRC) $(src-y) $(BUILD)/plugins.c
LIBS += $(sort $(libs-y))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(patsubst $(BUILD)/%,%,$(1)))

.PHONY: install deb deb-test web-deps all tools deps defconfig menuconfig savedefconfig allnoconfig allyesconfig \
	check check-build check-asan check-soak unit fuzz fuzz-build rules lab selftest soak demo bench clean distclean \
	image qemu check-image check-boards check-recipes check-arm64 deps-arm64

all: $(BUILD)/uplinkd $(BUILD)/uplinkctl

# ---- Kconfig -------------------------------------------------------------

# A board defconfig newer than the configuration (a plugin was added) refreshes it.
$(BUILD)/.config: $(wildcard board/$(BOARD)/defconfig)
	@mkdir -p $(BUILD)
	$(PY) -m defconfig --kconfig Kconfig board/$(BOARD)/defconfig

defconfig:
	@mkdir -p $(BUILD)
	$(PY) -m defconfig --kconfig Kconfig board/$(BOARD)/defconfig

allnoconfig allyesconfig:
	@mkdir -p $(BUILD)
	$(PY) -m $@ Kconfig

menuconfig: $(BUILD)/.config
	$(PY) -m menuconfig Kconfig

savedefconfig: $(BUILD)/.config
	$(PY) -m savedefconfig --kconfig Kconfig --out board/$(BOARD)/defconfig

$(BUILD)/config.mk: $(BUILD)/.config Kconfig $(wildcard plugins/*/Kconfig)
	$(PY) -m genconfig --config-out $@ --header-path $(BUILD)/autoconf.h Kconfig

# The plugin list, generated: no constructors, no dlopen (BIRD's proto-build.c).
$(BUILD)/plugins.c: $(BUILD)/config.mk
	@{ echo '/* generated from $(BUILD)/.config by the Makefile */'; \
	  echo '#include <stddef.h>'; echo '#include "plugin.h"'; \
	  for p in $(plugin-y); do echo "extern const struct plugin plugin_$$p;"; done; \
	  echo 'const struct plugin *const plugins[] = {'; \
	  for p in $(plugin-y); do echo "	&plugin_$$p,"; done; \
	  echo '	NULL,'; echo '};'; } > $@.tmp && mv $@.tmp $@

# ---- build -----------------------------------------------------------------

$(BUILD)/obj/%.o: %.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@

$(BUILD)/obj/plugins.o: $(BUILD)/plugins.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@

$(BUILD)/uplinkd: $(call obj,$(DAEMON_SRC))
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/uplinkctl: $(call obj,$(CTL_SRC))
	$(CC) $(LDFLAGS) -o $@ $^ -ljson-c

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- unit tests (cmocka) -----------------------------------------------------
# test/unit/X.mk:  unit-tests += X ;  X-src := daemon/x.c ... (the test's own
# test/unit/X_test.c is added); X-plugins := y to link the compiled-in plugins.

unit-tests :=
include $(sort $(wildcard test/unit/*.mk))

define unit_rule
$(BUILD)/unit/$(1)_test: $(call obj,test/unit/$(1)_test.c $($(1)-src) $(if $($(1)-plugins),$(src-y) $(BUILD)/plugins.c))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LIBS) -lcmocka
endef
$(foreach t,$(unit-tests),$(eval $(call unit_rule,$(t))))

unit: $(foreach t,$(unit-tests),$(BUILD)/unit/$(t)_test)
	@fail=0; for t in $^; do \
		echo "== $$t"; \
		LSAN_OPTIONS=suppressions=$(CURDIR)/test/lsan.supp:print_suppressions=0 CMOCKA_MESSAGE_OUTPUT=stdout $$t || fail=1; \
	done; exit $$fail

# ---- fuzzing (libFuzzer) ----------------------------------------------------
# test/fuzz/X.mk:  fuzzers += X ;  X-fuzz-src := daemon/x.c ... ; seeds in
# test/fuzz/corpus/X/. `make fuzz` runs each for FUZZ_SECONDS on a copy. X-fuzz-plugins := y
# links the build's real plugin list; X-fuzz-flags adds libFuzzer options (e.g. -max_len).

fuzzers :=
include $(sort $(wildcard test/fuzz/*.mk))
FUZZ_SECONDS ?= 20
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

define fuzz_rule
$(BUILD)/fuzz/$(1)_fuzz: test/fuzz/$(1)_fuzz.c $($(1)-fuzz-src) $(if $($(1)-fuzz-plugins),$(src-y) $(BUILD)/plugins.c) $(BUILD)/config.mk
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(filter-out -MMD -MP,$(CPPFLAGS)) $$(FUZZ_FLAGS) -Wall -Wextra -Werror -Wno-missing-field-initializers \
		-o $$@ $$(filter %.c,$$^) $$(LIBS)
endef
$(foreach f,$(fuzzers),$(eval $(call fuzz_rule,$(f))))

fuzz-build: $(foreach f,$(fuzzers),$(BUILD)/fuzz/$(f)_fuzz)

# Each fuzzer runs its FUZZ_SECONDS as its own target, so `make -j2 fuzz` runs two at once
# (make check does): the same time per fuzzer, half the wall time. Every fuzzer runs even
# when one fails; their reports are printed in order.
fuzz: $(addprefix fuzz-run-,$(fuzzers))
	@fail=0; for f in $(fuzzers); do \
		cat $(BUILD)/fuzz/$$f.report; \
		[ "$$(cat $(BUILD)/fuzz/$$f.status 2>/dev/null)" = 0 ] || fail=1; \
	done; exit $$fail

fuzz-run-%: $(BUILD)/fuzz/%_fuzz
	@f=$*; rm -f $(BUILD)/fuzz/$$f.status; \
		rm -rf $(BUILD)/fuzz/run-$$f; mkdir -p $(BUILD)/fuzz/run-$$f; \
		cp -r test/fuzz/corpus/$$f/. $(BUILD)/fuzz/run-$$f/ 2>/dev/null; \
		{ echo "== fuzz $$f ($(FUZZ_SECONDS) s)"; \
		LSAN_OPTIONS=suppressions=$(CURDIR)/test/lsan.supp:print_suppressions=0 \
		$(BUILD)/fuzz/$${f}_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 $($*-fuzz-flags) \
			-artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/run-$$f test/fuzz/corpus/$$f \
			> $(BUILD)/fuzz/$$f.log 2>&1 && rc=0 || { rc=1; tail -40 $(BUILD)/fuzz/$$f.log; }; \
		grep -E '^Done|#[0-9]+ *DONE' $(BUILD)/fuzz/$$f.log | tail -1; \
		echo $$rc >$(BUILD)/fuzz/$$f.status; } >$(BUILD)/fuzz/$$f.report; \
		echo "fuzz $$f: done (exit $$(cat $(BUILD)/fuzz/$$f.status))"

# ---- lab and bench tools (test/lab/*.c, test/bench/*.c) --------------------

TOOLS := $(patsubst %.c,$(BUILD)/tools/%,$(notdir $(wildcard test/lab/*.c test/bench/*.c)))
tools: $(TOOLS)

$(BUILD)/tools/%: test/lab/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -o $@ $< -lm

$(BUILD)/tools/%: test/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -o $@ $< -lm

# The parser bench links the real parsers (test/bench/parse_bench.c).
PARSE_BENCH_SRC := daemon/config.c daemon/config_rules.c daemon/config_syntax.c daemon/schema.c daemon/plugin.c daemon/log.c \
	daemon/control_req.c daemon/command.c plugins/probe-icmp/icmp_wire.c plugins/probe-dns/dns_wire.c
$(BUILD)/tools/parse_bench: test/bench/parse_bench.c $(PARSE_BENCH_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(CPPFLAGS)) -O2 -g $(WARN) -o $@ $^ -lconfig -ljson-c

# ---- code rules ---------------------------------------------------------------

rules:
	@test/rules.sh

# ---- check ------------------------------------------------------------------

# Each stage is a sub-make run by test/stages.sh, which prints every stage's wall time at the
# end (after a failure too): the CI budget is 30 minutes.
# The compiling stages (and the fuzzers) run CHECK_JOBS at once, by default one per CPU.
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
CHECK_STAGES := check-build:-j$(CHECK_JOBS) check-asan:-j$(CHECK_JOBS) fuzz:-j$(CHECK_JOBS) rules \
	check-boards:-j$(CHECK_JOBS) check-recipes deb-test selftest lab check-image:-j$(CHECK_JOBS) \
	check-arm64:-j$(CHECK_JOBS) check-soak
check: deps
	@MAKE='$(MAKE)' test/stages.sh $(CHECK_STAGES)

check-asan:
	$(MAKE) BUILD=build/asan SAN=1 OPT=-O1 all unit

check-soak:
	$(MAKE) soak SOAK_MINUTES=2 SOAK_SEED=$(CHECK_SOAK_SEED)

# The build matrix: a disabled plugin cannot rot.
check-build:
	$(MAKE) all
	$(MAKE) BUILD=build/allno allnoconfig
	$(MAKE) BUILD=build/allno all
	$(MAKE) BUILD=build/allyes allyesconfig
	$(MAKE) BUILD=build/allyes all

lab: build/asan/uplinkd build/asan/uplinkctl tools web-deps
	TOOLS=$(BUILD)/tools UPLINKD=build/asan/uplinkd UPLINKCTL=build/asan/uplinkctl test/lab/run.sh

# The harness's own test: broken scenarios (test/lab/selftest/) must be reported as failures.
selftest: build/asan/uplinkd build/asan/uplinkctl tools $(BUILD)/tools/leak.so
	TOOLS=$(BUILD)/tools UPLINKD=build/asan/uplinkd UPLINKCTL=build/asan/uplinkctl test/lab/selftest.sh

# leak.so: the test hook that makes the daemon leak (preloaded by test/lab/selftest/s_leak*.sh)
$(BUILD)/tools/leak.so: test/lab/selftest/leak.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O0 -o $@ $<

ifneq ($(BUILD),build/asan)
build/asan/uplinkd build/asan/uplinkctl:
	$(MAKE) BUILD=build/asan SAN=1 OPT=-O1 all
endif

# The chaos soak (test/soak/soak.sh) on the release build: its RSS is what a router sees.
SOAK_MINUTES ?= 10
# make check's 2-minute soak replays one schedule, so a red CI run can be replayed as it
# was; `make soak` alone draws a new seed each run (printed, to replay a failure).
CHECK_SOAK_SEED ?= 20261205
soak: all tools
	TOOLS=$(BUILD)/tools UPLINKD=$(BUILD)/uplinkd UPLINKCTL=$(BUILD)/uplinkctl \
		SOAK_MINUTES=$(SOAK_MINUTES) $(if $(SOAK_SEED),SOAK_SEED=$(SOAK_SEED)) test/soak/soak.sh

demo: deps
	$(MAKE) all tools
	test/lab/demo.sh

bench: deps
	$(MAKE) all tools
	test/bench/run.sh

# ---- boards, firmware image, image lab ------------------------------------------
# Each board is built in build/board/BOARD with its own defconfig; the image of a board
# packs that build (board/common/mkimage.sh). A board whose image.conf says ARCH=arm64
# cross-builds with Debian's aarch64-linux-gnu-gcc and the :arm64 -dev packages (deps-arm64);
# its image takes Debian's arm64 kernel and userland (apt-get download, never installed).

BOARDS := $(notdir $(patsubst %/defconfig,%,$(wildcard board/*/defconfig)))
IMAGE_BOARD = $(if $(filter lab,$(BOARD)),qemu-x86_64,$(BOARD))

board-arch = $(shell sed -n 's/^ARCH=//p' board/$(1)/image.conf 2>/dev/null)
board-cc = $(if $(filter arm64,$(call board-arch,$(1))),CC=aarch64-linux-gnu-gcc)

board-build-%: deps-kconfig
	@mkdir -p build/board/$*
	$(MAKE) BUILD=build/board/$* BOARD=$* defconfig >/dev/null
	$(MAKE) BUILD=build/board/$* BOARD=$* $(call board-cc,$*) all

deps-kconfig:
	@test -n "$(KCONFIGLIB)" || $(MAKE) deps

# A board of this machine's architecture is built where `make image` builds it (build/board/B),
# so the image reuses it, or in $(BUILD) when that is configured exactly as the board (the lab
# board, after `make`); a cross board is also built natively in build/board/check-B, for
# uplinkd -t to run here.
board-check-dir = build/board/$(if $(call board-cc,$(1)),check-)$(1)
check-boards:
	@fail=0; mkdir -p build/board; for bd in $(foreach b,$(BOARDS),$(b):$(call board-check-dir,$(b))); do \
		b=$${bd%%:*}; d=$${bd#*:}; \
		if [ -f $(BUILD)/.config ] && [ -f $(BUILD)/uplinkd ] && \
		   KCONFIG_CONFIG=build/board/$$b.config.want $(PY) -m defconfig --kconfig Kconfig board/$$b/defconfig >/dev/null && \
		   cmp -s build/board/$$b.config.want $(BUILD)/.config; then d=$(BUILD); fi; \
		rm -f build/board/$$b.config.want; \
		$(MAKE) -s BUILD=$$d BOARD=$$b defconfig >/dev/null && \
		$(MAKE) -s BUILD=$$d BOARD=$$b all >/dev/null || { fail=1; echo "not ok - $$b builds"; continue; }; \
		echo "ok - $$b builds"; \
		if $$d/uplinkd -t -c board/$$b/uplinkd.conf >$$d/t.log 2>&1; \
		then echo "ok - $$b: board/$$b/uplinkd.conf passes uplinkd -t"; \
		else echo "not ok - $$b: board/$$b/uplinkd.conf passes uplinkd -t"; sed 's/^/#   /' $$d/t.log; fail=1; fi; \
		test -f board/$$b/interfaces || { [ $$b = lab ] || { echo "not ok - $$b has an interface map"; fail=1; }; }; \
	done; exit $$fail

check-recipes:
	test/image/check_recipes.sh

image: deps
	$(MAKE) board-build-$(IMAGE_BOARD)
	board/common/mkimage.sh $(IMAGE_BOARD) build/board/$(IMAGE_BOARD) build/image/$(IMAGE_BOARD)

qemu: image
	test/image/qemu.sh interactive build/image/qemu-x86_64

check-image: image
	$(MAKE) tools
	test/image/t_image.sh build/image/qemu-x86_64

# the arm64 board's image boots under qemu-system-aarch64 (TCG) until uplinkd answers status
check-arm64: deps
	$(MAKE) image BOARD=nanopi-r4s
	test/image/t_arm64.sh build/image/nanopi-r4s
# ---- install and the Debian package -------------------------------------------
# `make install` (PREFIX=/usr/local, DESTDIR for staging): the daemon, the CLI, the systemd
# unit, the README and an example configuration; an existing configuration is never
# overwritten. `make deb`: build/uplinkd_VERSION_ARCH.deb (packaging/mkdeb.sh); its test is
# test/pkg/t_deb.sh (`make deb-test`).

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
DOCDIR ?= $(PREFIX)/share/doc/uplinkd
EXAMPLE_CONF ?= board/x86/uplinkd.conf

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/uplinkd
	install -m 0755 $(BUILD)/uplinkd $(DESTDIR)$(SBINDIR)/uplinkd
	install -m 0755 $(BUILD)/uplinkctl $(DESTDIR)$(BINDIR)/uplinkctl
	test -e $(DESTDIR)$(SYSCONFDIR)/uplinkd/uplinkd.conf || \
		install -m 0644 $(EXAMPLE_CONF) $(DESTDIR)$(SYSCONFDIR)/uplinkd/uplinkd.conf
	install -m 0644 $(EXAMPLE_CONF) $(DESTDIR)$(DOCDIR)/uplinkd.conf.example
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		packaging/uplinkd.service > $(DESTDIR)$(UNITDIR)/uplinkd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/uplinkd.service

deb: all
	packaging/mkdeb.sh $(BUILD) $(BUILD)

deb-test: deb
	test/pkg/t_deb.sh $(BUILD)/uplinkd_*.deb

# ---- dependencies -----------------------------------------------------------
# Everything a fresh Debian 12 needs; nothing is installed when all are present.

DEB_PKGS := build-essential clang libclang-rt-14-dev pkg-config python3-kconfiglib \
	libmnl-dev libnftnl-dev libconfig-dev libcap-ng-dev libjson-c-dev libmicrohttpd-dev libcmocka-dev \
	iproute2 nftables conntrack ethtool iputils-ping netcat-openbsd jq procps curl socat openssl \
	strongswan-swanctl charon-systemd libcharon-extra-plugins \
	libstrongswan-standard-plugins strongswan-pki gobgpd python3-exabgp \
	chromium wrk \
	qemu-system-x86 qemu-system-arm busybox-static cpio kmod dpkg-dev

# the arm64 board's cross build: the cross compiler and the -dev packages of the libraries
# uplinkd links, for arm64 (dpkg --add-architecture arm64; Debian's multiarch)
ARM64_PKGS := gcc-aarch64-linux-gnu libc6-dev-arm64-cross libmnl-dev:arm64 libnftnl-dev:arm64 libconfig-dev:arm64 \
	libjson-c-dev:arm64 libcap-ng-dev:arm64 libmicrohttpd-dev:arm64 libcrypt-dev:arm64

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# npm: Debian's package, unless a nodejs that carries its own npm is there already
	@command -v npm >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm; }
	$(MAKE) deps-arm64
	$(MAKE) web-deps

deps-arm64:
	@dpkg --print-foreign-architectures | grep -qx arm64 || { echo "deps: dpkg --add-architecture arm64"; \
		dpkg --add-architecture arm64 && apt-get update -qq; }
	@missing=$$(for p in $(ARM64_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The browser test's driver (test/web/package.json pins playwright-core) in build/web;
# Chromium itself is Debian's (DEB_PKGS). Without npm or the registry this fails: the
# browser test cannot run, and a test that cannot run is not a pass.
web-deps: build/web/node_modules/playwright-core/package.json
build/web/node_modules/playwright-core/package.json: test/web/package.json
	@mkdir -p build/web
	cp test/web/package.json build/web/package.json
	cd build/web && npm install --no-audit --no-fund --omit=dev --loglevel=error || \
		{ echo "web-deps: npm install failed: the browser test needs playwright-core in build/web/node_modules (check the network or the npm registry, then make web-deps)" >&2; exit 1; }
	@test -f $@ || { echo "web-deps: npm install left no $@" >&2; exit 1; }
	@touch -c $@

clean:
	rm -rf $(BUILD)/obj $(BUILD)/uplinkd $(BUILD)/uplinkctl $(BUILD)/unit $(BUILD)/fuzz

distclean:
	rm -rf build
