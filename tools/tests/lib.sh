# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# lib.sh: helpers for the tests of vmemctl (bash). The meson tests set
# VMEMCTL to the built tool and VMEMCTL_TESTS_DIR to this directory.
#
#   vmemctl ARGS...          runs the tool; its stdout and stderr go to
#                            $out and $err, its exit status to $status
#   expect_status N ARGS...  vmemctl ARGS..., which must exit with N
#   expect_in FILE TEXT      FILE must contain TEXT (fixed string)
#   expect_json FILE PYTHON  FILE must be JSON; PYTHON (statements, with
#                            the parsed document in `data`) must not raise
#   fail MESSAGE             prints "FAIL: MESSAGE" and the last output, exits 1
#   libvirt_at_least VERSION whether libvirt (virsh's, the tool's) is VERSION
#                            or newer
#
# Under `meson test --setup valgrind` this script itself runs under
# memcheck, which does not follow children: the tool is then run under
# memcheck too, with the setup's checks, and an error of valgrind's (exit
# status 99, apart from the tool's own) fails the test.

set -euo pipefail

: "${VMEMCTL:?VMEMCTL is not set: run the tests through meson test}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$work/stdout
err=$work/stderr
status=0

wrapper=()
time_scale=1
case ${LD_PRELOAD:-} in
  *vgpreload_memcheck*)
    wrapper=(valgrind --quiet --error-exitcode=99 --leak-check=full
             --errors-for-leak-kinds=definite --show-leak-kinds=definite
             --suppressions=/usr/share/glib-2.0/valgrind/glib.supp
             --suppressions="$VMEMCTL_TESTS_DIR/../../tests/valgrind.supp"
             --track-origins=yes)
    time_scale=${VMEM_TEST_TIME_SCALE:-10}
    ;;
esac

fail ()
{
  echo "FAIL: $*" >&2
  if [ -s "$out" ]; then echo "--- stdout:" >&2; cat "$out" >&2; fi
  if [ -s "$err" ]; then echo "--- stderr:" >&2; cat "$err" >&2; fi
  exit 1
}

vmemctl ()
{
  status=0
  env LD_PRELOAD= "${wrapper[@]}" "$VMEMCTL" "$@" > "$out" 2> "$err" || status=$?
  if [ "$status" -eq 99 ]; then
    fail "valgrind found errors in: vmemctl $*"
  fi
  return 0
}

expect_status ()
{
  local want=$1
  shift
  vmemctl "$@"
  [ "$status" -eq "$want" ] || fail "vmemctl $* exited with $status, expected $want"
  echo "ok: vmemctl $* -> $status"
}

expect_in ()
{
  grep -qF -- "$2" "$1" || fail "$(basename "$1") lacks '$2'"
}

expect_json ()
{
  /usr/bin/python3 -c "
import json, sys
data = json.load(open(sys.argv[1]))
$2
" "$1" || fail "the JSON output is not what was expected"
}

# Messages are 'vmemctl: COMMAND: ...'; libvirt may add its own lines.
expect_message ()
{
  grep -q "^vmemctl: $1: .*$2" "$err" || fail "stderr lacks 'vmemctl: $1: ...$2'"
}

# libvirt_at_least VERSION: whether the libvirt the tool runs on (the
# client library, which holds the test driver) is VERSION or newer.
libvirt_at_least ()
{
  local have
  have=$(virsh --version) || fail "virsh --version failed"
  [ "$(printf '%s\n' "$1" "$have" | sort -V | head -n 1)" = "$1" ]
}
