# shellcheck shell=bash
# The SQL servers deeptrace's e2e suite traces, in the chain's network
# namespace (deeptrace-chain.sh, sourced first): a private PostgreSQL
# cluster (Debian's initdb and pg_ctl, run as the postgres user, trust
# authentication, TCP on 127.0.0.1:$PGPORT) and a private MariaDB (Debian's
# mariadb-install-db and mariadbd as the mysql user, 127.0.0.1:$MYPORT).
# Each in a directory of its own under /tmp that its user owns.  And a
# DNS server: Debian's dnsmasq on 127.0.0.1:53 of the namespace, answering
# shop.test (127.0.0.7, ::7) and NXDOMAIN for nope.test, nothing else; and
# another one on port $DNSPORT2 (DNS known by its content, not its port).
# PostgreSQL's table accounts (ids 1..300; 404 has none) is the chain backend's
# (dt_backend.py's /account/N).
#
#   sql_up      installs what is missing, starts the three
#   sql_down    stops the SQL servers, removes their directories (dnsmasq
#               goes with the namespace)
#   pg CMD...   a PostgreSQL client program (psql, pgbench) against the cluster
#   my ARGS...  the mariadb client against the server

PGPORT=5439 MYPORT=3307 DNSPORT2=5300
PGDIR= MYDIR=

pg() {
	local prog=$1
	shift
	in_ns "$PGBIN/$prog" -h 127.0.0.1 -p $PGPORT -U postgres "$@"
}

my() {
	in_ns mariadb -h 127.0.0.1 -P $MYPORT -u root "$@"
}

sql_up() {
	local i

	need_packages postgresql mariadb-server mariadb-client libdbd-mariadb-perl dnsmasq-base \
		bind9-dnsutils strace
	for i in 53 $DNSPORT2; do
		in_ns dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
			--listen-address=127.0.0.1 --bind-interfaces --port=$i --user=root \
			--pid-file="$T/dnsmasq-$i.pid" --address=/shop.test/127.0.0.7 \
			--address=/shop.test/::7 --address=/nope.test/ --log-facility="$T/dnsmasq-$i.log" &
	done
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	[ -x "$PGBIN/initdb" ] || die "no initdb in /usr/lib/postgresql/*/bin"
	PGDIR=$(mktemp -d /tmp/bpfbox-dt-pg.XXXXXX) && MYDIR=$(mktemp -d /tmp/bpfbox-dt-my.XXXXXX) ||
		die "mktemp failed"
	chown postgres "$PGDIR" && chown mysql "$MYDIR" && chmod 755 "$PGDIR" "$MYDIR" ||
		die "no postgres or mysql user"
	runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres \
		>"$PGDIR/initdb.log" 2>&1 || die "initdb failed: $(tail -n 3 "$PGDIR/initdb.log")"
	# ssl off (initdb's default): psql's SSLRequest is answered 'N'.
	in_ns runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
		-o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1" start >/dev/null ||
		die "pg_ctl start failed: $(tail -n 3 "$PGDIR/log")"
	mariadb-install-db --no-defaults --user=mysql --datadir="$MYDIR/data" \
		--auth-root-authentication-method=normal --skip-test-db >"$MYDIR/install.log" 2>&1 ||
		die "mariadb-install-db failed: $(tail -n 3 "$MYDIR/install.log")"
	in_ns runuser -u mysql -- mariadbd --no-defaults --datadir="$MYDIR/data" \
		--socket="$MYDIR/sock" --port=$MYPORT --bind-address=127.0.0.1 \
		--pid-file="$MYDIR/pid" --log-error="$MYDIR/err" >/dev/null 2>&1 &
	chain_listening $PGPORT
	chain_listening $MYPORT
	chain_listening 53
	chain_listening $DNSPORT2
	for ((i = 0; i < 250; i++)); do	# listening comes before accepting logins
		my -e 'select 1' >/dev/null 2>&1 && break
		sleep 0.04
	done
	pg psql -X -q -c "CREATE TABLE users (id int, name text)" \
		-c "CREATE TABLE accounts (id int PRIMARY KEY, name text)" \
		-c "INSERT INTO accounts SELECT g, 'account' || g FROM generate_series(1, 300) g" >/dev/null &&
		my -e "CREATE DATABASE shop; CREATE TABLE shop.users (id int, name text)" ||
		die "cannot create the tables"
}

sql_down() {
	[ -n "$PGDIR" ] && in_ns runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate \
		stop >/dev/null 2>&1
	[ -n "$MYDIR" ] && [ -f "$MYDIR/pid" ] && kill "$(cat "$MYDIR/pid")" 2>/dev/null
	[ -n "$PGDIR" ] && rm -rf "$PGDIR"
	[ -n "$MYDIR" ] && sleep 0.5 && rm -rf "$MYDIR"
	PGDIR= MYDIR=
}
