unit-tests += web_config
web_config-src := $(CORE_SRC)
web_config-plugins := y
