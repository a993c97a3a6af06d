unit-tests += nft
nft-src := daemon/nft.c daemon/loop.c daemon/log.c
