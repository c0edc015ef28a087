#!/usr/bin/env bash
# The Debian package as an administrator meets it (run by `make test` after `make deb`):
#   Tests/Packaging/package-test.sh path/to/switchboard_VERSION_ARCH.deb
#
# Without root: lintian, the package's fields and files, bash completion and the units' hardening score.
# As root, also: dpkg -i into this machine; the installed units verified (systemd-analyze verify); the
# installed binary's version and settings from /; then, because systemd cannot run here, each
# switchboard@SERVICE unit's ExecStart line run the way systemd would run it (its User and Group through
# setpriv with no new privileges and no capabilities, its EnvironmentFile, its WorkingDirectory, its
# UMask) against a private redis-server, an order placed over HTTP and confirmed, every process stopped
# with SIGTERM as `systemctl stop` does; then dpkg -r and dpkg -P, each checked.
# Every process it starts and the installed package are removed on exit, whatever happened.
set -uo pipefail
deb=$(realpath "$1")
passed=0 failed=0 skipped=0
started=$SECONDS
work=$(mktemp -d)
pids=()
installed_here=no

pass() { passed=$((passed + 1)); echo "ok      $1"; }
fail() { failed=$((failed + 1)); echo "FAILED  $1"; }
skip() { skipped=$((skipped + 1)); echo "skipped $1"; }
# check NAME COMMAND…: passes when the command succeeds.
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }

cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    if [ "$installed_here" = yes ] && dpkg-query -W switchboard >/dev/null 2>&1; then
        echo "cleanup: purging the switchboard package this test installed"
        dpkg -P switchboard >/dev/null 2>&1
    fi
    rm -rf "$work"
}
finish() {
    cleanup
    echo "package tests took $((SECONDS - started)) s"
    echo "packaging: $passed passed, $failed failed, $skipped skipped"
    [ "$failed" = 0 ]
}
trap 'finish; exit $?' EXIT
trap 'fail "interrupted by a signal"; exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- the package file --------------------------------------------------------------------------------
field() { dpkg-deb --field "$deb" "$1"; }
depends=$(field Depends)
echo "Depends: $depends"
check "depends on the runtime libraries libhiredis0.14, libmicrohttpd12, libcurl4" \
    bash -c '[[ $1 == *"libhiredis0.14 "* && $1 == *"libmicrohttpd12 "* && $1 == *"libcurl4 "* ]]' _ "$depends"
check "depends on no -dev package and on no Swift toolchain library" \
    bash -c '[[ $1 != *-dev* && $1 != *swift* ]]' _ "$depends"
check "ships /usr/bin/switchboard, the units, the man page and bash completion" bash -c '
    for f in "-rwxr-xr-x usr/bin/switchboard" "-rw-r--r-- lib/systemd/system/switchboard@.service" \
             "-rw-r--r-- lib/systemd/system/switchboard.target" "-rw-r--r-- usr/share/man/man1/switchboard.1.gz" \
             "-rw-r--r-- usr/share/bash-completion/completions/switchboard" \
             "-rw------- etc/switchboard/switchboard.env"; do
        grep -qxF -e "$f" <<<"$1" || { echo "missing: $f"; exit 1; }
    done' _ "$(dpkg-deb --contents "$deb" | awk '{print $1, substr($NF, 3)}')"
check "/etc/switchboard's files are conffiles" bash -c '
    [ "$(dpkg-deb --ctrl-tarfile "$1" | tar -xO ./conffiles | sort)" = \
      "$(printf "%s\n" /etc/switchboard/catalog.json /etc/switchboard/switchboard.env /etc/switchboard/switchboard.json)" ]' _ "$deb"

if command -v lintian >/dev/null; then
    lintian --fail-on error --display-info "$deb" >"$work/lintian.txt" 2>&1
    status=$?
    grep -v 'running with root privileges' "$work/lintian.txt" | sed 's/^/  lintian: /'
    echo "  lintian: $(grep -c '^E:' "$work/lintian.txt") errors, $(grep -c '^W:' "$work/lintian.txt") warnings," \
        "$(grep -c '^I:' "$work/lintian.txt") infos"
    check "lintian finds no error" test "$status" = 0
else
    skip "lintian: not installed (make deps installs it)"
fi

dpkg-deb -x "$deb" "$work/root"
check "bash completion completes commands, services and flag values" bash -c '
    source "$1/usr/share/bash-completion/completions/switchboard"
    complete_() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _switchboard; echo "${COMPREPLY[*]}"; }
    [ "$(complete_ switchboard ver)" = version ] && [ "$(complete_ switchboard --redis x run pay)" = payment ] \
        && [ "$(complete_ switchboard run --transport s)" = streams ]' _ "$work/root"
if command -v systemd-analyze >/dev/null; then
    # systemd's own score of the unit's sandboxing, from 0 (locked down) to 10 (exposed).
    systemd-analyze security --offline=yes --root="$work/root" --threshold=25 switchboard@order.service \
        >"$work/security.txt" 2>&1
    status=$?
    echo "  $(grep -o 'Overall exposure level.*' "$work/security.txt")"
    check "systemd-analyze security: exposure of switchboard@order at most 2.5" test "$status" = 0
else
    skip "systemd-analyze security: systemd-analyze is not installed"
fi

# --- installed into this machine -------------------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
    skip "dpkg -i, running the installed units' command lines, dpkg -r/-P: not root (dpkg needs root; CI runs as root)"
    exit
fi
if dpkg-query -W -f='${Status}' switchboard 2>/dev/null | grep -q installed; then
    fail "a switchboard package is already installed on this machine; this test does not touch it (dpkg -P switchboard, then run again)"
    exit
fi

installed_here=yes
check "dpkg -i installs it" dpkg -i "$deb"
check "the package is installed and configured" \
    test "$(dpkg-query -W -f='${Status}' switchboard)" = "install ok installed"
check "postinst made the system user switchboard (system uid, no login shell)" bash -c '
    IFS=: read -r _ _ uid _ _ home shell < <(getent passwd switchboard) && [ "$uid" -lt 1000 ] \
        && [ "$shell" = /usr/sbin/nologin ] && getent group switchboard >/dev/null'
version=$(cd / && /usr/bin/switchboard --version)
echo "  $version"
check "/usr/bin/switchboard --version names the version and the commit, from /" \
    grep -qE '^switchboard [0-9]+\.[0-9]+\.[0-9]+ \((commit [0-9a-f]+(-dirty)?|unknown commit)\)$' <<<"$version"
check "switchboard config from / reads /etc/switchboard/switchboard.json and its catalog beside it" bash -c '
    out=$(cd / && env -u SWITCHBOARD_CONFIG /usr/bin/switchboard config) || exit 1
    grep -qx "settings file: /etc/switchboard/switchboard.json" <<<"$out" \
        && grep -qE "^catalog +/etc/switchboard/catalog.json +file /etc/switchboard/switchboard.json$" <<<"$out"'
if command -v systemd-analyze >/dev/null; then
    check "systemd-analyze verify: the installed template (as switchboard@order) and target" \
        systemd-analyze verify /lib/systemd/system/switchboard@.service /lib/systemd/system/switchboard.target
else
    skip "systemd-analyze verify: systemd-analyze is not installed"
fi

# systemd is not running here (no PID 1 manager in this sandbox): run each unit's command line as systemd
# would, from the installed unit file.
unit=/lib/systemd/system/switchboard@.service
key() { sed -n "s/^$1=//p" "$unit" | tail -1; }
user=$(key User) group=$(key Group) directory=$(key WorkingDirectory) environment_file=$(key EnvironmentFile)
umask_value=$(key UMask) exec_start=$(key ExecStart)
echo "  unit: User=$user Group=$group WorkingDirectory=$directory EnvironmentFile=$environment_file UMask=$umask_value"
echo "  unit: ExecStart=$exec_start"

redis_port=$(free_port) http_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save '' --appendonly no \
    >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$redis_port" PING >/dev/null 2>&1 && break; sleep 0.1; done
# What an administrator does: the Redis URL and the port go into the units' environment file.
printf 'SWITCHBOARD_REDIS_URL=redis://127.0.0.1:%s\nSWITCHBOARD_HTTP_PORT=%s\n' "$redis_port" "$http_port" \
    >>"${environment_file#-}"

# The environment systemd gives a system service, then the EnvironmentFile's KEY=value lines.
unit_environment=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
    "USER=$user" "LOGNAME=$user" "HOME=$(getent passwd "$user" | cut -d: -f6)" SHELL=/usr/sbin/nologin)
while IFS= read -r line; do
    [[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    name=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
    [[ $value =~ ^\"(.*)\"$ ]] && value=${BASH_REMATCH[1]}
    unit_environment+=("$name=$value")
done <"${environment_file#-}"

services=(order stock payment notification ingress)
declare -A unit_pid
for service in "${services[@]}"; do
    command_line=${exec_start//%i/$service}
    command_line=${command_line//%H/$(hostname)}
    if [[ $command_line == *%* ]]; then fail "ExecStart uses a specifier this test does not expand: $command_line"; fi
    read -ra argv <<<"$command_line"
    (
        cd "$directory" && umask "$umask_value" && exec env -i "${unit_environment[@]}" \
            setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs --bounding-set=-all \
            --inh-caps=-all -- "${argv[@]}"
    ) </dev/null >"$work/$service.out" 2>"$work/$service.log" &
    unit_pid[$service]=$!
    pids+=($!)
done

healthy() {
    for _ in $(seq 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/health")" = 200 ] && return 0
        sleep 0.2
    done
    return 1
}
check "the five switchboard@ command lines run and /health reports every service up" healthy
# Each background job execs env, setpriv and then switchboard, so its pid is the service's process.
check "each runs as the switchboard user, not root" bash -c '
    uid=$(id -u switchboard)
    for pid in "$@"; do
        grep -qE "^Name:\s+switchboard$" "/proc/$pid/status" \
            && grep -qE "^Uid:\s+$uid\s+$uid\s+$uid\s+$uid$" "/proc/$pid/status" || exit 1
    done' _ "${unit_pid[@]}"
order=$(curl -s -X POST "http://127.0.0.1:$http_port/orders" -H 'Content-Type: application/json' \
    -H 'Prefer: wait=10' \
    -d '{"customerId":"c-pkg","items":[{"sku":"BOOK-1","quantity":2}],"payment":{"card":"4242424242424242"}}')
echo "  POST /orders: $order"
check "an order placed over HTTP is confirmed: 2 × BOOK-1 at 1250 from /etc/switchboard/catalog.json" \
    bash -c '[[ $1 == *"\"status\":\"confirmed\""* && $1 == *"\"amount\":2500"* ]]' _ "$order"
check "the stock service reserved it in the private Redis" \
    test "$(redis-cli -p "$redis_port" HGET "stock:{stock}:item:BOOK-1" available)" = 999998

# `systemctl stop` sends SIGTERM: every process finishes and exits 0.
stopped_cleanly() {
    for service in "${services[@]}"; do kill -TERM "${unit_pid[$service]}"; done
    local code=0
    for service in "${services[@]}"; do
        wait "${unit_pid[$service]}"
        local status=$?
        [ "$status" = 0 ] || { echo "  switchboard@$service exited $status:"; tail -5 "$work/$service.log"; code=1; }
    done
    return $code
}
check "SIGTERM stops every instance with exit status 0" stopped_cleanly
check "their logs went to standard error, as journald would keep them" \
    grep -q 'switchboard running' "$work/order.log"

check "dpkg -r removes it" dpkg -r switchboard
check "after dpkg -r: the binary and units are gone, the conffiles and the user stay" bash -c '
    [ ! -e /usr/bin/switchboard ] && [ ! -e /lib/systemd/system/switchboard@.service ] \
        && [ -f /etc/switchboard/switchboard.json ] && getent passwd switchboard >/dev/null \
        && [ "$(dpkg-query -W -f="\${Status}" switchboard)" = "deinstall ok config-files" ]'
check "dpkg -P purges it" dpkg -P switchboard
check "after dpkg -P: /etc/switchboard, the user and the group are gone, dpkg knows nothing of it" bash -c '
    [ ! -e /etc/switchboard ] && ! getent passwd switchboard >/dev/null && ! getent group switchboard >/dev/null \
        && ! dpkg-query -W switchboard >/dev/null 2>&1'
