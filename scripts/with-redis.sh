#!/usr/bin/env bash
# Runs a command against the Redis of the configuration, starting a private redis-server when that one
# is not reachable, and stopping it again when the command ends.
#   scripts/with-redis.sh CONFIG_FILE COMMAND [ARGUMENTS…]
set -euo pipefail
config=$1; shift

# The URL as switchboard resolves it: $SWITCHBOARD_REDIS_URL, then $REDIS_URL, then the config file.
url=${SWITCHBOARD_REDIS_URL:-${REDIS_URL:-}}
if [ -z "$url" ] && [ -f "$config" ]; then
  url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("redis",{}).get("url",""))' "$config")
fi
url=${url:-redis://127.0.0.1:6379}

if [[ $url == unix://* ]]; then
  if redis-cli -s "${url#unix://}" PING >/dev/null 2>&1; then exec "$@"; fi
  echo "with-redis: $url is not reachable and only TCP URLs get a private server" >&2
  exit 69
fi
if redis-cli -u "$url" PING >/dev/null 2>&1; then
  exec "$@"
fi

hostport=${url#redis://}; hostport=${hostport##*@}; hostport=${hostport%%/*}
port=${hostport##*:}; [ "$port" = "$hostport" ] && port=6379
data=$(pwd)/.run/redis
mkdir -p "$data"
echo "with-redis: nothing answers at $url; starting a private redis-server on port $port (data in .run/redis)" >&2
redis-server --port "$port" --bind 127.0.0.1 --dir "$data" --save '' --appendonly no \
  --daemonize yes --pidfile "$data/redis.pid" --logfile "$data/redis.log"
trap 'redis-cli -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || kill "$(cat "$data/redis.pid")" 2>/dev/null || true' EXIT
for _ in $(seq 50); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
"$@"
