#!/usr/bin/env bash
# Builds the distribution of aios from the packaged server (target/aios-server.jar and target/lib):
#   target/dist/aios-VERSION-linux-x64.tar.gz   a jlink'd Java runtime, the jars and the bin/aios launcher
#   target/dist/aios_VERSION_amd64.deb           the same under /opt/aios, with a systemd unit (needs dpkg-deb)
# Run by `mvn -Pdist package`; arguments: VERSION TARGET_DIR REPOSITORY_ROOT
set -euo pipefail
version="$1"
target="$2"
root="$3"
# shellcheck source=../../../scripts/java-home.sh
. "$root/scripts/java-home.sh"
java_home="$(find_java_home)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
name="aios-$version-linux-x64"
out="$target/dist"
stage="$out/$name"
rm -rf "$out"
mkdir -p "$stage/lib" "$stage/bin"

# The modules aios and its libraries use (jdeps --print-module-deps over target/lib), and what they
# load by name at run time: logging, JMX for metrics, XML, zip file systems, TLS key exchange.
# Not java.desktop (15 MB with its native libraries), which jdeps names too: aios is a headless
# server, and what reaches for it at run time looks for it first (SnakeYAML's bean introspection,
# Jackson's @ConstructorProperties) or lies on paths aios does not take (DJL's images and audio, the
# mail library's image handlers, JNA's window ids, commons-lang3's circuit breaker).
modules=java.base,java.compiler,java.instrument,java.logging,java.management,java.naming
modules+=,java.net.http,java.security.jgss,java.sql,java.xml,jdk.incubator.vector,jdk.management
modules+=,jdk.unsupported,jdk.zipfs,jdk.charsets,jdk.localedata,jdk.crypto.cryptoki
echo "jlink: a runtime with $modules"
major="$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
# Java 25 and later: aios starts from the ahead-of-time cache made below (lib/aios.aot), which holds
# the runtime's own classes as well, so the runtime needs no class-data archives of its own (29 MB).
# Before: --generate-cds-archive, so that the runtime's classes load from a shared archive as in a
# full JDK (and the launcher's archive of aios's classes has a base to stand on).
cds_archive=()
if [ "$major" -lt 25 ]; then
  cds_archive=(--generate-cds-archive)
fi
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --include-locales=en,de,fr,es,it,nl,pt --compress=zip-6 "${cds_archive[@]}" --output "$stage/runtime"
# The JVM's own symbol table (5 MB) only names its functions in a crash report; the runtime's other
# libraries come without one.
if command -v strip > /dev/null 2>&1; then
  strip --strip-unneeded "$stage/runtime/lib/server/libjvm.so"
else
  echo "strip is not installed: the JVM keeps its symbol table, 5 MB more (apt install binutils)"
fi

cp "$target/aios-server.jar" "$stage/lib/"
cp "$target"/lib/*.jar "$stage/lib/"
# Native libraries only for Linux on x86-64: drop the other platforms' copies from the jars.
strip_natives() {
  local jar="$1"; shift
  local entries
  entries="$(unzip -Z1 "$jar" | grep -E "$@" || true)"
  if [ -n "$entries" ]; then
    echo "$entries" | zip -q -d "$jar" -@ > /dev/null
  fi
}
for jar in "$stage"/lib/onnxruntime-*.jar; do
  strip_natives "$jar" '^ai/onnxruntime/native/(win|osx|linux-aarch64)[^/]*/.+'
done
for jar in "$stage"/lib/sqlite-jdbc-*.jar; do
  strip_natives "$jar" '^org/sqlite/native/(Windows|Mac|FreeBSD|Linux-Android|Linux-Musl|Linux/(aarch64|arm|armv6|armv7|ppc64|riscv64|x86)/).+'
done
for jar in "$stage"/lib/tokenizers-*.jar; do
  strip_natives "$jar" '^native/lib/(osx|win|linux-aarch64)[^/]*/.+'
done
for jar in "$stage"/lib/jna-*.jar; do
  strip_natives "$jar" '^com/sun/jna/((aix|darwin|dragonflybsd|freebsd|openbsd|sunos|win32)-[^/]+|linux-(x86|arm|armel|aarch64|ppc|ppc64le|mips64el|loongarch64|s390x|riscv64))/.+'
done

# --sun-misc-unsafe-memory-access exists from Java 23 on.
java_options="--enable-native-access=ALL-UNNAMED"
if [ "$major" -ge 23 ]; then
  java_options+=" --sun-misc-unsafe-memory-access=allow"
fi
# The class path in a fixed order, the server's jar first: the launcher names each jar, so that the
# ahead-of-time cache below, which holds only for the class path it was made with, matches.
jars="aios-server.jar $(cd "$stage/lib" && LC_ALL=C ls -1 -- *.jar | grep -vx aios-server.jar | tr '\n' ' ')"
jars="${jars% }"
sed -e "s|@JAVA_OPTIONS@|$java_options|" -e "s|@JARS@|$jars|" "$here/aios" > "$stage/bin/aios"
chmod 0755 "$stage/bin/aios"

# Java 25 and later: an ahead-of-time cache (JEP 483, 514, 515) from a training start of `aios up`
# on a scratch data directory, so that even the first start after installing loads its classes
# already parsed and linked, with the profiles of the methods it ran.
if [ "$major" -ge 25 ]; then
  "$root/scripts/aot-cache.sh" "$stage/bin/aios" "$stage/lib/aios.aot"
fi
install -m 0644 "$here/aios.service" "$here/aios.yaml" "$stage/"
cp "$here/README" "$stage/README"
echo "$version" > "$stage/VERSION"
tar -C "$out" -czf "$out/$name.tar.gz" "$name"
echo "archive: $out/$name.tar.gz ($(du -m "$out/$name.tar.gz" | cut -f1) MB packed, $(du -sm "$stage" | cut -f1) MB unpacked)"

if ! command -v dpkg-deb > /dev/null 2>&1; then
  echo "dpkg-deb is not installed: no .deb built (apt install dpkg)"
  exit 0
fi
deb="$out/deb"
mkdir -p "$deb/DEBIAN" "$deb/opt" "$deb/usr/bin" "$deb/lib/systemd/system" "$deb/etc/aios"
cp -a "$stage" "$deb/opt/aios"
rm "$deb/opt/aios/aios.service" "$deb/opt/aios/aios.yaml"
ln -s /opt/aios/bin/aios "$deb/usr/bin/aios"
install -m 0644 "$here/aios.service" "$deb/lib/systemd/system/aios.service"
install -m 0644 "$here/aios.yaml" "$deb/etc/aios/aios.yaml"
install -m 0755 "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$deb/DEBIAN/"
echo /etc/aios/aios.yaml > "$deb/DEBIAN/conffiles"
size="$(du -sk "$deb" | cut -f1)"
sed -e "s/@VERSION@/${version//-SNAPSHOT/~snapshot}/" -e "s/@SIZE@/$size/" "$here/debian/control" > "$deb/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip -b "$deb" "$out/aios_${version}_amd64.deb" > /dev/null
rm -rf "$deb"
echo "package: $out/aios_${version}_amd64.deb ($(du -m "$out/aios_${version}_amd64.deb" | cut -f1) MB)"
