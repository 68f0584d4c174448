#!/usr/bin/env bash
# The real servers the tests talk to: Postfix, Dovecot and a throwaway PostgreSQL cluster.
#
#   scripts/services.sh install         apt-get what is missing (root)
#   scripts/services.sh start | stop    start (wiping the work dir) or stop the servers
#   scripts/services.sh status          which ports answer
#   source scripts/services.sh          the same as functions: services_install, ...
#
# scripts/test sources this file so that the servers are background jobs of its own shell,
# which reaps them with `wait` when it stops them: PID 1 here reaps orphans late, if at all.
# A standalone `start` leaves the servers running until a later `stop`.
#
#   Postfix     127.0.0.1:10025, relays helpdesk.test to Mailroom's SMTP at 127.0.0.1:12525
#   Dovecot     IMAP 127.0.0.1:10143, POP3 127.0.0.1:10110, users agent@ and support@helpdesk.test
#   PostgreSQL  127.0.0.1:15432, user postgres, trust auth, fsync off
# Work dir: $MAILROOM_SERVICES_DIR (default /tmp/mailroom-services, wiped by start);
# Postfix logs to $MAILROOM_SERVICES_DIR/postfix/postfix.log.

# Not root: a work dir of one's own, since root's cannot be wiped.
if ((EUID == 0)); then
  SVC_DIR=${MAILROOM_SERVICES_DIR:-/tmp/mailroom-services}
else
  SVC_DIR=${MAILROOM_SERVICES_DIR:-/tmp/mailroom-services-$(id -un)}
fi
SVC_PGBIN=/usr/lib/postgresql/15/bin
SVC_POSTFIX_PORT=10025
SVC_IMAP_PORT=10143
SVC_POP3_PORT=10110
SVC_PG_PORT=15432
SVC_RELAY_TO='[127.0.0.1]:12525' # Mailroom's SMTP in the e2e tests (brackets: no MX lookup)
SVC_PACKAGES=(postfix dovecot-imapd dovecot-pop3d swaks chromium)

_svc_say() { echo "services: $*" >&2; }

# True when something accepts connections on 127.0.0.1:PORT.
svc_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

_svc_wait_port() { # port seconds
  local end=$((SECONDS + $2))
  until svc_port_open "$1"; do
    ((SECONDS < end)) || { _svc_say "nothing answers on 127.0.0.1:$1 after $2 s"; return 1; }
    sleep 0.1
  done
}

# Alive and not a zombie: `kill -0` also answers for zombies, which PID 1 reaps late.
_svc_alive() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) } # the state follows the command name, which may hold spaces
  [[ ${stat%% *} != Z ]]
}

# Wait until the process in pid file NAME.pid is gone, then reap it if it is our job.
_svc_wait_gone() {
  local file=$SVC_DIR/$1.pid pid end
  [[ -f $file ]] || return 0
  pid=$(<"$file")
  end=$((SECONDS + 20))
  while _svc_alive "$pid" && ((SECONDS < end)); do sleep 0.1; done
  if _svc_alive "$pid"; then
    _svc_say "$1 (pid $pid) did not stop; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true # reaps our own background job; a no-op for others
  rm -f "$file"
}

# Packages still to install (the PostgreSQL 15 server only when its initdb is missing).
svc_missing_packages() {
  local pkg
  for pkg in "${SVC_PACKAGES[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) == *"ok installed" ]] || echo "$pkg"
  done
  if [[ ! -x $SVC_PGBIN/initdb ]]; then # Debian 12 packages it as postgresql-15
    if apt-cache show postgresql-15 &>/dev/null; then echo postgresql-15; else echo postgresql; fi
  fi
}

services_install() {
  local missing
  mapfile -t missing < <(svc_missing_packages)
  ((${#missing[@]})) || { _svc_say "all installed"; return 0; }
  if ((EUID != 0)); then
    _svc_say "not root, cannot install: ${missing[*]}"
    return 1
  fi
  _svc_say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Installing Postfix must not ask questions nor configure a system mailer.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

_svc_write_mail_configs() {
  mkdir -p "$SVC_DIR"/dovecot "$SVC_DIR"/mail "$SVC_DIR"/postfix/{conf,queue,data} &&
    chown nobody:nogroup "$SVC_DIR"/mail && # Dovecot will not deliver as root
    chown postfix "$SVC_DIR"/postfix/data || return 1
  cat >"$SVC_DIR"/dovecot/dovecot.conf <<EOF
protocols = imap pop3
listen = 127.0.0.1
base_dir = $SVC_DIR/dovecot/run
state_dir = $SVC_DIR/dovecot/state
instance_name = mailroom-test
log_path = $SVC_DIR/dovecot/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $SVC_DIR/dovecot/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$SVC_DIR/mail/%u
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    port = $SVC_IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $SVC_POP3_PORT
  }
  inet_listener pop3s {
    port = 0
  }
}
EOF
  printf '%s\n' 'agent@helpdesk.test:{PLAIN}agentpass' \
    'support@helpdesk.test:{PLAIN}supportpass' >"$SVC_DIR"/dovecot/users

  # Without syslog Postfix is silent unless maillog_file sits under maillog_file_prefixes.
  # Short backoff times so that a deferred mail is retried within seconds. Bounces to the
  # tests' senders (client.test) are discarded; nothing ever leaves the machine.
  cat >"$SVC_DIR"/postfix/conf/main.cf <<EOF
compatibility_level = 3.6
queue_directory = $SVC_DIR/postfix/queue
data_directory = $SVC_DIR/postfix/data
maillog_file = $SVC_DIR/postfix/postfix.log
maillog_file_prefixes = $SVC_DIR
myhostname = mta.postfix.test
mydomain = postfix.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
local_recipient_maps =
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
relay_domains = helpdesk.test
transport_maps = inline:{ helpdesk.test=smtp:$SVC_RELAY_TO, client.test=discard: }
default_transport = error:no mail leaves the test machine
smtpd_relay_restrictions = reject_unauth_destination
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 5s
biff = no
EOF
  # Debian's stock master.cf chroots its daemons, which fails outside the spool.
  cat >"$SVC_DIR"/postfix/conf/master.cf <<EOF
127.0.0.1:$SVC_POSTFIX_PORT inet n - n - - smtpd
pickup     unix n - n 60 1 pickup
cleanup    unix n - n - 0 cleanup
qmgr       unix n - n 300 1 qmgr
tlsmgr     unix - - n 1000? 1 tlsmgr
rewrite    unix - - n - - trivial-rewrite
bounce     unix - - n - 0 bounce
defer      unix - - n - 0 bounce
trace      unix - - n - 0 bounce
verify     unix - - n - 1 verify
flush      unix n - n 1000? 0 flush
proxymap   unix - - n - - proxymap
smtp       unix - - n - - smtp
relay      unix - - n - - smtp
showq      unix n - n - - showq
error      unix - - n - - error
retry      unix - - n - - error
discard    unix - - n - - discard
local      unix - n n - - local
lmtp       unix - - n - - lmtp
anvil      unix - - n - 1 anvil
scache     unix - - n - 1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
}

# initdb and postgres refuse to run as root: as root they run as the postgres user.
_svc_as_pg_user() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

# Each step is checked by hand: callers test our status, which turns `set -e` off in here.
_svc_start_postgres() {
  [[ -x $SVC_PGBIN/initdb ]] || { _svc_say "PostgreSQL 15 not installed, not started"; return 1; }
  mkdir -p "$SVC_DIR"/pg || return 1
  if ((EUID == 0)); then chown postgres:postgres "$SVC_DIR"/pg || return 1; fi
  if ! _svc_as_pg_user "$SVC_PGBIN"/initdb -D "$SVC_DIR"/pg/data --auth=trust -U postgres \
    -E UTF8 --locale=C.UTF-8 >"$SVC_DIR"/pg/initdb.log 2>&1; then
    _svc_say "initdb failed, see $SVC_DIR/pg/initdb.log"
    return 1
  fi
  # Durability is pointless for a cluster that is wiped on every start.
  _svc_as_pg_user "$SVC_PGBIN"/postgres -D "$SVC_DIR"/pg/data -p "$SVC_PG_PORT" \
    -k "$SVC_DIR"/pg -c listen_addresses=127.0.0.1 -c fsync=off \
    -c synchronous_commit=off -c full_page_writes=off >"$SVC_DIR"/pg/pg.log 2>&1 &
  echo $! >"$SVC_DIR"/postgres.pid
}

_svc_start_mail_servers() {
  if ((EUID != 0)); then
    _svc_say "not root: Postfix and Dovecot not started"
    return 1
  fi
  _svc_write_mail_configs || { _svc_say "cannot write the configs in $SVC_DIR"; return 1; }
  local ok=0
  if command -v dovecot >/dev/null; then
    dovecot -F -c "$SVC_DIR"/dovecot/dovecot.conf >"$SVC_DIR"/dovecot.out 2>&1 &
    echo $! >"$SVC_DIR"/dovecot.pid
  else
    _svc_say "Dovecot not installed, not started"
    ok=1
  fi
  if command -v postfix >/dev/null; then
    postfix -c "$SVC_DIR"/postfix/conf start-fg >"$SVC_DIR"/postfix.out 2>&1 &
    echo $! >"$SVC_DIR"/postfix.pid
  else
    _svc_say "Postfix not installed, not started"
    ok=1
  fi
  return $ok
}

# Every port served here: port, name, and the pid file of the server behind it.
_svc_ports() {
  echo "$SVC_POSTFIX_PORT Postfix postfix"
  echo "$SVC_IMAP_PORT Dovecot-IMAP dovecot"
  echo "$SVC_POP3_PORT Dovecot-POP3 dovecot"
  echo "$SVC_PG_PORT PostgreSQL postgres"
}

# Stop what a previous start left running, and refuse ports held by anything else: a stale
# listener would swallow the tests' mail. Then start every server we can from a wiped work
# dir and wait for its port. Returns 1 if some server is not up.
services_start() {
  local port name pidfile ok=0
  services_stop
  while read -r port name pidfile; do
    if svc_port_open "$port"; then
      _svc_say "port $port ($name) is in use by something else; stop it first:"
      ss -ltnp "sport = :$port" >&2 || true
      ok=1
    fi
  done < <(_svc_ports)
  ((ok == 0)) || return 1
  rm -rf "$SVC_DIR" && mkdir -p "$SVC_DIR" || { _svc_say "cannot make $SVC_DIR"; return 1; }
  _svc_start_mail_servers || ok=1
  _svc_start_postgres || ok=1
  while read -r port name pidfile; do
    [[ -f $SVC_DIR/$pidfile.pid ]] || continue
    _svc_wait_port "$port" 20 || { _svc_say "$name did not start, see $SVC_DIR"; ok=1; }
  done < <(_svc_ports)
  return $ok
}

# Stop whatever a previous start left (this shell's jobs or another's), quietly; never
# fails, so that it can run from an EXIT trap under `set -e`.
services_stop() {
  [[ -d $SVC_DIR ]] || return 0
  if [[ -f $SVC_DIR/postgres.pid ]]; then
    _svc_as_pg_user "$SVC_PGBIN"/pg_ctl -D "$SVC_DIR"/pg/data -m fast -w stop \
      >/dev/null 2>&1 || true
    _svc_wait_gone postgres
  fi
  if [[ -f $SVC_DIR/postfix.pid ]]; then
    postfix -c "$SVC_DIR"/postfix/conf stop >/dev/null 2>&1 || true # start-fg then exits
    _svc_wait_gone postfix
  fi
  if [[ -f $SVC_DIR/dovecot.pid ]]; then
    kill "$(<"$SVC_DIR"/dovecot.pid)" 2>/dev/null || true
    _svc_wait_gone dovecot
  fi
  return 0
}

services_status() {
  local port name pidfile state
  while read -r port name pidfile; do
    if svc_port_open "$port"; then state=up; else state=down; fi
    echo "$name 127.0.0.1:$port $state"
  done < <(_svc_ports)
}

# Run as a command (not sourced): dispatch the subcommand.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  case ${1:-} in
    install | start | stop | status) "services_$1" ;;
    *) echo "usage: $0 install|start|stop|status" >&2; exit 64 ;;
  esac
fi
