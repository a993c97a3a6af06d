plugin-$(CONFIG_WEB) += web
src-$(CONFIG_WEB) += $(wildcard plugins/web/*.c) $(BUILD)/web_page.c
libs-$(CONFIG_WEB) += -lmicrohttpd -lcrypt

# (the rules below must not become the default goal)
ifeq ($(.DEFAULT_GOAL),)
.DEFAULT_GOAL := all
endif

# plugins/web/page.html is compiled in as web_page_html[] (page.h): the page is
# self-contained and needs no file at run time.
$(BUILD)/web_page.c: plugins/web/page.html plugins/web/plugin.mk
	@mkdir -p $(dir $@)
	@{ echo '/* generated from plugins/web/page.html by plugins/web/plugin.mk */'; \
	  echo '#include <stddef.h>'; \
	  echo 'extern const char web_page_html[]; extern const size_t web_page_html_len;'; \
	  echo 'const char web_page_html[] = {'; \
	  od -An -v -tx1 $< | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0x00 };'; \
	  echo 'const size_t web_page_html_len = sizeof(web_page_html) - 1;'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/web_page.o: $(BUILD)/web_page.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@
