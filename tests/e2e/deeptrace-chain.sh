# shellcheck shell=bash
# The service chain deeptrace's e2e suite and benchmark trace, in a network
# namespace of its own: curl -> nginx (Debian's; proxy_pass, and /ping it
# answers itself) -> tests/work/dt_backend.py (a thread per request) ->
# redis-server (Debian's), users user:1..user:10 in it; and, when PGPORT is
# set (deeptrace-sql.sh sourced first), PostgreSQL at that port through
# libpq (python3-psycopg2; deeptrace-sql.sh's sql_up starts the server).
# Sourced after ROOT and die are set and scripts/apt-lib.sh is sourced.
#
#   chain_up DIR   installs what is missing, starts the chain (files in DIR)
#   chain_down     stops what runs in the namespace, removes it
#   in_ns CMD...   runs CMD in the namespace
#   dt_parents F   per link rule of deeptrace's JSON file F: "RULE right
#                  wrong", a span being right when its endpoint ends with
#                  the number its parent's ends with (the user id goes down
#                  the whole chain)

CHAIN_NS=bbdt$$
RPORT=6390 BPORT=8081 NPORT=8080

in_ns() {
	ip netns exec "$CHAIN_NS" "$@"
}

# chain_listening PORT [ADDR]: until something listens there (10 s).
chain_listening() {
	local i
	for ((i = 0; i < 500; i++)); do
		in_ns bash -c "exec 3<>/dev/tcp/${2:-127.0.0.1}/$1" 2>/dev/null && return 0
		sleep 0.02
	done
	die "nothing listens on ${2:-127.0.0.1}:$1"
}

chain_up() {
	local dir=$1 i

	need_packages nginx-light redis-server redis-tools curl python3 jq
	[ -z "${PGPORT:-}" ] || need_packages python3-psycopg2
	ip netns add "$CHAIN_NS" && ip -n "$CHAIN_NS" link set lo up ||
		die "cannot make network namespace $CHAIN_NS"
	in_ns redis-server --port $RPORT --bind "127.0.0.1 ::1" --save "" --appendonly no \
		--logfile "$dir/redis.log" >/dev/null &
	in_ns env PGPORT="${PGPORT:-}" /usr/bin/python3 "$ROOT/tests/work/dt_backend.py" $BPORT $RPORT &
	cat >"$dir/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx.err;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $dir;
	proxy_temp_path $dir;
	server {
		listen 127.0.0.1:$NPORT;
		listen [::1]:$NPORT;
		location = /ping { return 200 "pong\n"; }
		location / { proxy_pass http://127.0.0.1:$BPORT; }
	}
}
NGINX
	in_ns nginx -c "$dir/nginx.conf" -p "$dir" &
	chain_listening $RPORT
	chain_listening $BPORT
	chain_listening $NPORT
	chain_listening $NPORT ::1
	for i in 1 2 3 4 5 6 7 8 9 10; do
		in_ns redis-cli -p $RPORT set user:$i "name$i" >/dev/null
	done
}

# What runs in the namespace is ours (`ip netns exec` may leave its
# command behind when it is killed).
chain_down() {
	local p
	for p in $(ip netns pids "$CHAIN_NS" 2>/dev/null); do
		kill "$p" 2>/dev/null
	done
	ip netns del "$CHAIN_NS" 2>/dev/null
}

dt_parents() {
	jq -rs '(map(select(.type == "span")) | map({key: (.span_id|tostring), value: .}) | from_entries) as $by
		| [.[] | select(.type == "span" and .parent_id != 0)
		   | {link, ok: ((.endpoint | capture("(?<n>[0-9]+)$").n) ==
				($by[.parent_id|tostring].endpoint | capture("(?<n>[0-9]+)$").n))}]
		| group_by(.link)[] | "\(.[0].link) \(map(select(.ok)) | length) \(map(select(.ok | not)) | length)"' "$1"
}
