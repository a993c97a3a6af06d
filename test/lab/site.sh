# site.sh - a remote VPN site for the lab of topo.sh, and charon instances. Source it after
# lib.sh (it uses $P and $RUN); topo.sh's own namespaces and behaviour are unchanged.
#
#   core sitea ── ina  site lan0 ── eth0 slan
#   core siteb ── inb
#
#   core  sitea 203.0.113.1/28     siteb 203.0.113.17/28
#   site  ina   203.0.113.10/28    (far-end carrier A: the first remote)
#         inb   203.0.113.20/28    (far-end carrier B: the second remote)
#         lan0  100.81.0.1/24      default via 203.0.113.1
#   slan  eth0  100.81.0.2/24      default via 100.81.0.1
#
# The office LAN is 100.80.0.0/24 (topo.sh), the site LAN 100.81.0.0/24; the tunnel carries
# traffic between them. Every charon gets its own directory $RUN/charon-NAME holding its
# strongswan.conf (STRONGSWAN_CONF), VICI socket, log and swanctl directory (SWANCTL_DIR), so
# several charons (and other engineers' labs) coexist; none touches /etc/swanctl or
# /var/run/charon.vici. kernel-libipsec carries ESP in userspace over UDP 4500 (this kernel has
# no ESP module), so every ESP packet is ESP-in-UDP: fault.sh esp-drop drops exactly those
# (non-zero SPI on 4500) and lets IKE and ping through.
#
#   site_up                        build the site (after lab_up)
#   charon_start NAME ROLE         start charon in PREFIX-ROLE with $RUN/charon-NAME
#   charon_stop NAME               stop it (by PID)
#   charon_vici NAME               its VICI socket path
#   swan NAME ARGS...              swanctl against it (its SWANCTL_DIR)
#   site_creds psk|x509            credentials and the site's responder connection
#   site_ipsec_conf [EXTRA]        the uplinkd `ipsec` section for the lab tunnel

SITE_A=203.0.113.10
SITE_B=203.0.113.20
SITE_PSK="lab-only-psk-$(printf %x $$)-not-secret"

site_up() {
	local site=$P-site slan=$P-slan core=$P-core ns
	for ns in "$site" "$slan"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		nsctl "$ns" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
			net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	nsctl "$site" net.ipv4.ip_forward=1
	ip -n "$core" link add name sitea type veth peer name ina netns "$site"
	ip -n "$core" link add name siteb type veth peer name inb netns "$site"
	ip -n "$core" link set sitea up
	ip -n "$core" link set siteb up
	ip -n "$site" link set ina up
	ip -n "$site" link set inb up
	ip -n "$core" addr add 203.0.113.1/28 dev sitea
	ip -n "$core" addr add 203.0.113.17/28 dev siteb
	ip -n "$site" addr add $SITE_A/28 dev ina
	ip -n "$site" addr add $SITE_B/28 dev inb
	ip -n "$site" route add default via 203.0.113.1
	ip -n "$site" link add name lan0 type veth peer name eth0 netns "$slan"
	ip -n "$site" link set lan0 up
	ip -n "$slan" link set eth0 up
	ip -n "$site" addr add 100.81.0.1/24 dev lan0
	ip -n "$slan" addr add 100.81.0.2/24 dev eth0
	ip -n "$slan" route add default via 100.81.0.1
}

charon_dir() { echo "$RUN/charon-$1"; }
charon_vici() { echo "$(charon_dir "$1")/charon.vici"; }

# charon_start NAME ROLE: charon-systemd in PREFIX-ROLE, own config and runtime dir
charon_start() {
	local name=$1 role=$2 dir
	dir=$(charon_dir "$name")
	mkdir -p "$dir/swanctl"/{conf.d,x509,x509ca,private}
	cat >"$dir/strongswan.conf" <<-EOF
	charon-systemd {
		journal {
			default = -1
		}
	}
	charon {
		piddir = $dir
		load_modular = no
		load = random nonce aes sha1 sha2 hmac kdf pem pkcs1 pkcs8 x509 pubkey revocation constraints openssl gmp kernel-libipsec kernel-netlink socket-default vici counters
		# lab: give up on a dead peer within seconds, not minutes
		retransmit_timeout = 1.0
		retransmit_base = 1.4
		retransmit_tries = 3
		make_before_break = yes
		# MOBIKE follows the best route even while the old path still routes (uplinkd's
		# steer = "mobike"); connections with static local_addrs and no MOBIKE stay put
		prefer_best_path = yes
		filelog {
			lab {
				path = $dir/charon.log
				time_format = %T
				default = 1
				ike = 1
				knl = 0
			}
		}
		plugins {
			vici {
				socket = unix://$dir/charon.vici
			}
			kernel-libipsec {
				load = yes
			}
		}
	}
	swanctl {
		socket = unix://$dir/charon.vici
	}
	EOF
	rm -f "$dir/charon.vici"
	STRONGSWAN_CONF=$dir/strongswan.conf ip netns exec "$P-$role" /usr/sbin/charon-systemd \
		</dev/null >>"$dir/charon.out" 2>&1 &
	echo $! >"$RUN/charon-$name.pid"
	wait_for 10 test -S "$dir/charon.vici"
}

charon_stop() {
	local f=$RUN/charon-$1.pid pid
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	rm -f "$f"
	topo_kill_pid "$P" "$pid"
	wait "$pid" 2>/dev/null || true
}

charon_ns() {	# NAME -> the namespace its PID lives in
	ip netns identify "$(cat "$RUN/charon-$1.pid")"
}

swan() {
	local name=$1 dir
	shift
	dir=$(charon_dir "$name")
	STRONGSWAN_CONF=$dir/strongswan.conf SWANCTL_DIR=$dir/swanctl \
		ip netns exec "$(charon_ns "$name")" swanctl "$@" --uri "unix://$dir/charon.vici"
}

# site_psk_secrets: the lab's PSK as a swanctl secrets section (both ends)
site_psk_secrets() {
	cat <<-EOF
	secrets {
		ike-lab {
			id-1 = rtr.lab
			id-2 = site.lab
			secret = "$SITE_PSK"
		}
	}
	EOF
}

# site_office_conn psk|pubkey: the site's responder connection "office" (swanctl.conf)
site_office_conn() {
	local auth=$1
	cat <<-EOF
	connections {
		office {
			version = 2
			local_addrs = $SITE_A, $SITE_B
			remote_addrs = %any
			proposals = aes128-sha256-modp2048
			unique = replace
			local {
				auth = $auth
				id = site.lab
			}
			remote {
				auth = $auth
				id = rtr.lab
			}
			children {
				net {
					local_ts = 100.81.0.0/24
					remote_ts = 100.80.0.0/24
					esp_proposals = aes128-sha256
					start_action = none
				}
			}
		}
	}
	EOF
}

# site_creds psk|x509: credentials for both charons ("rtr" and "site") and the site's
# responder connection (any source address: the office may come from either carrier).
site_creds() {
	local kind=$1 rd sd auth
	rd=$(charon_dir rtr)/swanctl
	sd=$(charon_dir site)/swanctl
	if [ "$kind" = x509 ]; then
		auth=pubkey
		pki --gen --type ecdsa --size 256 --outform pem 2>/dev/null >"$RUN/ca.key"
		pki --self --ca --lifetime 30 --in "$RUN/ca.key" --type ecdsa \
			--dn "CN=uplinkd lab CA $P" --outform pem 2>/dev/null >"$RUN/ca.pem"
		local who
		for who in rtr site; do
			local d=$rd
			[ "$who" = site ] && d=$sd
			pki --gen --type ecdsa --size 256 --outform pem 2>/dev/null >"$d/private/$who.key"
			pki --req --type ecdsa --in "$d/private/$who.key" --dn "CN=$who.lab" \
				--san "$who.lab" --outform pem 2>/dev/null >"$RUN/$who.req"
			pki --issue --cacert "$RUN/ca.pem" --cakey "$RUN/ca.key" --type pkcs10 \
				--in "$RUN/$who.req" --lifetime 7 --san "$who.lab" \
				--outform pem 2>/dev/null >"$d/x509/$who.pem"
			cp "$RUN/ca.pem" "$d/x509ca/ca.pem"
		done
		: >"$rd/swanctl.conf"
	else
		auth=psk
		for f in "$rd" "$sd"; do
			site_psk_secrets >"$f/swanctl.conf.secrets"
		done
		cp "$rd/swanctl.conf.secrets" "$rd/swanctl.conf"
	fi
	{
		site_office_conn $auth
		[ "$kind" = x509 ] || cat "$sd/swanctl.conf.secrets"
	} >"$sd/swanctl.conf"
	swan rtr --load-creds --noprompt >/dev/null 2>&1
	swan site --load-all --noprompt >/dev/null 2>&1
}

# site_ipsec_conf AUTH [EXTRA-KEYS]: the ipsec section for uplinkd (one tunnel "hq")
site_ipsec_conf() {
	cat <<-EOF
	ipsec = { vici = "$(charon_vici rtr)"; poll_ms = 1000;
	  tunnels = ( { name = "hq"; ike = "hq"; child = "net"; auth = "$1";
	    local_id = "rtr.lab"; remote_id = "site.lab";
	    proposals = "aes128-sha256-modp2048"; esp_proposals = "aes128-sha256";
	    local_ts = [ "100.80.0.0/24" ]; remote_ts = [ "100.81.0.0/24" ];
	    probe = { source = "100.80.0.1"; target = "100.81.0.1"; };
	    remotes = [ "$SITE_A", "$SITE_B" ]; ${2:-} } ); };
	EOF
}

# tunnel_field NAME FIELD
tunnel_field() {
	ctl status --json | jq -r --arg n "$1" --arg f "$2" '.tunnels[] | select(.name == $n) | .[$f]'
}
tunnel_is() { [ "$(tunnel_field "$1" state 2>/dev/null)" = "$2" ]; }	# NAME STATE
tunnel_on() {	# NAME UPLINK REMOTE: up on that path
	ctl status --json | json_true --arg n "$1" --arg u "$2" --arg r "$3" \
		'.tunnels[] | select(.name == $n) | .state == "up" and .uplink == $u and .remote == $r and (.connecting | not)' >/dev/null
}
lan_to_site() { ip netns exec "$P-lan" ping -n -q -c 3 -i 0.2 -W 1 100.81.0.2 >/dev/null 2>&1; }
