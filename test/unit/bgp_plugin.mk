unit-tests += bgp_plugin
# the core (the replay driver reads events through view.c, which reads the whole
# core) and the BGP plugin; the test lists the plugins itself
bgp_plugin-src := $(CORE_SRC) $(wildcard plugins/monitor-bgp/*.c)
