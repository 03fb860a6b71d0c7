#!/usr/bin/env bash
# Makes the ahead-of-time cache (Java 25 and later; JEP 483, 514, 515) that `aios up` starts from:
# starts LAUNCHER up once on a scratch data directory with -XX:AOTCacheOutput, waits for a healthy
# /health, and stops it; the JVM then writes the cache of the classes that start loaded and linked,
# and of the methods it profiled. Written to a name of its own and renamed to CACHE when complete, so
# that a start beside it never reads a half-written one.
# Run by the distribution's build (src/dist/build.sh) and by the checkout's ./aios when its jars have
# no cache yet; arguments: LAUNCHER CACHE. JAVA_HOME, when set, is passed on (the cache holds only
# for the JDK that made it).
set -euo pipefail
launcher="$1"
cache="$2"
partial="$cache.$$"
scratch="$(mktemp -d)"
pid=""
trap 'kill "$pid" 2> /dev/null || true; rm -rf "$scratch" "$partial"' EXIT
log="$scratch/aios.log"
mkdir -p "$scratch/home"
# A start as a user's first one: no settings file, no playbooks of their own, the bundled examples.
# G1 while training: the cache then also holds the archived heap objects (class mirrors, strings),
# which a JVM on the serial collector loads as well.
(cd "$scratch" && exec env -i PATH="$PATH" HOME="$scratch/home" ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} AIOS_CDS=off \
    AIOS_JAVA_OPTS="-XX:+UseG1GC -XX:AOTCacheOutput=$partial -Xlog:aot=warning:file=$scratch/aot.log" \
    "$launcher" up --data "$scratch/data" --port 0 > "$log" 2>&1) &
pid=$!
port=""
for _ in $(seq 1 1200); do
  port="$(sed -n 's|.*is up at http://localhost:\([0-9]*\).*|\1|p' "$log" | head -n 1)"
  [ -n "$port" ] && break
  kill -0 "$pid" 2> /dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "the training start of aios did not come up:" >&2
  cat "$log" >&2
  exit 1
fi
# One /health, as a start is checked; the answer's classes belong to the start.
exec 3<> "/dev/tcp/127.0.0.1/$port"
printf 'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
status="$(head -n 1 <&3)"
exec 3<&-
case "$status" in
  *" 200 "*) ;;
  *) echo "the training start of aios answered /health with: $status" >&2; cat "$log" >&2; exit 1 ;;
esac
kill -TERM "$pid"
# The JVM writes the cache as it exits: a second JVM assembles it from what the first recorded.
wait "$pid" || true
pid=""
if [ ! -s "$partial" ]; then
  echo "no ahead-of-time cache was written ($cache):" >&2
  cat "$log" "$scratch/aot.log" >&2 || true
  exit 1
fi
mv -f "$partial" "$cache"
echo "ahead-of-time cache: $cache ($(du -m "$cache" | cut -f1) MB)"
