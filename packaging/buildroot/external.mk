include $(sort $(wildcard $(BR2_EXTERNAL_UPLINKD_PATH)/package/*/*.mk))
