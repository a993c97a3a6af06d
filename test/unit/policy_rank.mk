unit-tests += policy_rank
policy_rank-src := daemon/policy_rank.c daemon/health.c
