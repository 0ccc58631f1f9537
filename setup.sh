#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Set up libvmem-gobject on a Debian 12 or 13 machine, from nothing:
#
#   ./setup.sh          install what is missing, build, and run the demo:
#                       a private libvirtd and a tiny virtio-mem guest are
#                       started in the build directory; vmemctl lists the
#                       guest's memory devices, grows its virtio-mem device
#                       to 1 GiB and shrinks it back while the guest's
#                       MemTotal follows, and all is torn down.
#   ./setup.sh test     install what is missing, build, and run the whole
#                       test suite (units, libvirt conformance corpus,
#                       bindings, docs, the live guest tests, then the C
#                       suites again under valgrind and under ASan/UBSan,
#                       the install test (tests/install/run), each fuzz
#                       harness for 20 s, and the C unit and live tests
#                       under ThreadSanitizer). On Debian 12, the whole
#                       suite, guest included, and the install test run on
#                       Debian 13 too, in a root made with debootstrap
#                       (tests/debian/root): made and built while the suite
#                       runs here, tested while the sanitizers run here.
#   ./setup.sh packages print the Debian packages the two above install,
#                       one a line (tests/debian/root installs them in its
#                       Debian 13 root).
#
# Installing is idempotent: apt-get runs only for packages that are
# missing. Nothing outside the source tree is touched but the Debian
# packages; the test guest lives in the build directory, the Debian 13 root
# in _debian13 (reused by later runs; `tests/debian/root clean` removes it).

set -euo pipefail

cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-_build}
ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-_build-asan}
TSAN_BUILD_DIR=${TSAN_BUILD_DIR:-_build-tsan}
FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-_build-fuzz}
INSTALL_BUILD_DIR=${INSTALL_BUILD_DIR:-_build-install}

# Build: the library, GIR/typelib, VAPI and gtk-doc, and vmemctl (whose
# --json output json-glib writes).
BUILD_PACKAGES=(
  gcc pkg-config meson ninja-build
  libglib2.0-dev libglib2.0-doc libxml2-dev libvirt-dev
  gobject-introspection libgirepository1.0-dev gir1.2-glib-2.0
  valac gtk-doc-tools libjson-glib-dev
)
# Tests: the bindings, valgrind, the live test bed (a private libvirtd with
# the QEMU driver, and a guest built from Debian's kernel and busybox), the
# event loops applications bring (libvirt-python's, libvirt-glib's), and
# what the ThreadSanitizer build of Debian's GLib source needs
# (tests/tsan/build-glib): dpkg-source to unpack it, and GLib's own
# build dependencies. Remote hosts of the bed (--remote) need certtool for
# TLS, an SSH server that installs no service (dropbear-bin), OpenSSH's
# client, and nc for libvirt's ssh transport. debootstrap makes the
# Debian 13 root; the install test (tests/install/run) reads the man page
# with man-db. Memory Monitor (app/) runs on GTK 4 and libadwaita through
# PyGObject; its tests validate its desktop file and metainfo, and run it
# under Xvfb, whose windows xwd photographs.
TEST_PACKAGES=(
  python3 python3-gi gjs valgrind libvirt-clients
  libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86
  busybox-static cpio gzip util-linux libxml2-utils
  python3-libvirt gir1.2-libvirt-glib-1.0 dpkg-dev
  libffi-dev libpcre2-dev zlib1g-dev
  gnutls-bin dropbear-bin netcat-openbsd openssh-client
  clang libclang-rt-dev
  debootstrap man-db
  gir1.2-gtk-4.0 gir1.2-adw-1 desktop-file-utils appstream xvfb xauth x11-apps
)

log () {
  printf '==> %s\n' "$*" >&2
}

as_root () {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  else
    sudo "$@"
  fi
}

install_packages () {
  local missing=()
  local pkg

  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
      missing+=("$pkg")
    fi
  done

  if [ ${#missing[@]} -eq 0 ]; then
    log "Debian packages: all ${#} present"
    return
  fi

  log "Installing ${#missing[@]} Debian packages: ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build () {
  local dir=$1
  shift

  if [ ! -f "$dir/build.ninja" ]; then
    log "Configuring $dir"
    meson setup "$dir" "$@"
  else
    meson configure "$dir" "$@" >/dev/null
  fi
  log "Building $dir"
  ninja -C "$dir"
}

run_demo () {
  log "Demo: vmemctl on a real guest with a virtio-mem device"
  # One bed for the whole demo, so that everything is torn down after it.
  VMEM_BED_CACHE="$BUILD_DIR/vmem-bed-cache" tests/bed/vmem-bed run -- sh -c '
    set -e
    vmemctl=$1
    export VMEM_URI="$VMEM_BED_URI"

    last_memtotal () {
      tr -d "\r" < "$VMEM_BED_SERIAL_LOG" |
        sed -n "s/.*VMEM-MEMTOTAL \([0-9][0-9]*\).*/\1/p" | tail -n 1
    }
    # The guest reports its MemTotal on its serial console as it changes:
    # wait until it stops changing.
    memtotal () {
      value=$(last_memtotal)
      for i in $(seq 30); do
        previous=$value
        sleep 1
        value=$(last_memtotal)
        [ "$value" != "$previous" ] || break
      done
      echo "guest MemTotal: $value kB"
    }
    run () {
      echo "\$ vmemctl $*"
      "$vmemctl" "$@"
    }

    run list
    memtotal
    run resize "$VMEM_BED_DOMAIN" --alias virtiomem0 1GiB --wait
    memtotal
    run resize "$VMEM_BED_DOMAIN" --alias virtiomem0 128MiB --wait
    memtotal
    run list
  ' sh "$BUILD_DIR/tools/vmemctl"
}

# The VERSION_ID of this machine's Debian release: 12, 13...
debian_release () {
  (. /etc/os-release && echo "${VERSION_ID:-}")
}

# wait_job PID LOG WHAT: waits for a job started with start_job; if it
# failed, shows the end of its LOG and stops here (stop_jobs ends the
# others).
wait_job () {
  local status=0
  wait "$1" || status=$?
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$2" >&2
    log "$3 failed (status $status; log: $2)"
    exit 1
  fi
}

# start_job LOG COMMAND...: COMMAND in the background, in a session of its
# own (so that stop_jobs ends it with all its children), output to LOG.
# Sets job_pid.
start_job () {
  local log_file=$1
  shift
  setsid "$@" > "$log_file" 2>&1 < /dev/null &
  job_pid=$!
  jobs_started+=("$job_pid")
}

stop_jobs () {
  local pid
  for pid in "${jobs_started[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
}

run_tests () {
  local debian13=false job_pid root_pid suite_pid status
  local root_log="$BUILD_DIR/debian13-build.log" suite_log="$BUILD_DIR/debian13-test.log"
  jobs_started=()
  trap stop_jobs EXIT

  # On Debian 12 the whole suite runs on Debian 13 as well. Its root is
  # made (debootstrap, apt) and the tree built in it while the suite runs
  # here, at a lower priority than the live tests; its suite runs while
  # the sanitizers run here, which start no guest: one guest suite at a
  # time shares the machine. The ThreadSanitizer live tests start guests:
  # they wait for it.
  if [ "$(debian_release)" = 12 ]; then
    debian13=true
    log "Debian 13 root: made and built in the background (log: $root_log)"
    start_job "$root_log" nice -n 10 tests/debian/root build
    root_pid=$job_pid
  fi

  log "Test suite"
  meson test -C "$BUILD_DIR" --print-errorlogs --num-processes 2

  if $debian13; then
    wait_job "$root_pid" "$root_log" "Making or building in the Debian 13 root"
    grep '^==> ' "$root_log" >&2 || true
    log "Test suite and install test on Debian 13: in the background (log: $suite_log)"
    # Every test suite; the benchmarks' figures are the host's (their
    # quick runs check that the programs work, and take the guest two
    # minutes more, on the run's longest path).
    start_job "$suite_log" sh -c 'tests/debian/root test -- --no-suite bench &&
                                  tests/debian/root run -- tests/install/run _build-install-debian13'
    suite_pid=$job_pid
  fi

  log "Install test: installed into /usr of a clean overlay, used with no environment"
  tests/install/run "$INSTALL_BUILD_DIR"

  log "C suites and vmemctl under valgrind"
  meson test -C "$BUILD_DIR" --print-errorlogs --setup valgrind \
    --suite unit --suite conformance --suite fuzz-regress --suite cli

  log "C suites under AddressSanitizer and UndefinedBehaviorSanitizer"
  build "$ASAN_BUILD_DIR" -Db_sanitize=address,undefined -Db_lundef=false \
    -Dintrospection=disabled -Dvapi=disabled -Dgtk_doc=false
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C "$ASAN_BUILD_DIR" --print-errorlogs --suite unit --suite conformance \
      --suite fuzz-regress

  log "Fuzzing the XML readers and the size parser (20 s each)"
  tests/fuzz/run-fuzzers --seconds 20 --build-dir "$FUZZ_BUILD_DIR"

  log "C unit tests under ThreadSanitizer"
  tests/tsan/run --unit "$TSAN_BUILD_DIR"

  if $debian13; then
    log "Test suite and install test on Debian 13 (from $suite_log)"
    status=0
    wait "$suite_pid" || status=$?
    cat "$suite_log" >&2
    [ "$status" -eq 0 ] || { log "The test suite on Debian 13 failed (status $status)"; exit 1; }
  fi

  log "C live tests under ThreadSanitizer"
  tests/tsan/run --live "$TSAN_BUILD_DIR"
  trap - EXIT
}

main () {
  local mode=${1:-demo}

  case "$mode" in
    demo)
      install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
      build "$BUILD_DIR" -Dgtk_doc=true
      run_demo
      ;;
    test)
      install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
      build "$BUILD_DIR" -Dgtk_doc=true -Dwerror=true
      run_tests
      ;;
    packages)
      printf '%s\n' "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
      ;;
    *)
      echo "usage: $0 [demo|test|packages]" >&2
      exit 2
      ;;
  esac
}

main "$@"
