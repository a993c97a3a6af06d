unit-tests += route
route-src := daemon/route.c daemon/route_msg.c daemon/nl.c daemon/rtnl.c daemon/link.c daemon/link_msg.c daemon/link_ethtool.c daemon/loop.c daemon/log.c daemon/uplink.c
