#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# vmemctl list, info and watch on several hosts (a -c each), on libvirt's
# test driver: test:///default, two-devices.xml, and a copy of it under
# another path, a host of its own with the same domains. With several
# hosts the table gains a HOST column, info a host line, and watch's lines
# a host first; every JSON object names its host. A host that fails is
# reported, prefixed with its name, while the others are shown. URIs with
# a host are refused by libvirt's client before it connects anywhere:
# their messages show the names such hosts get.

. "$VMEMCTL_TESTS_DIR/lib.sh"

file_uri="test://$VMEMCTL_TESTS_DIR/two-devices.xml"
cp "$VMEMCTL_TESTS_DIR/two-devices.xml" "$work/copy.xml"
copy_uri="test://$work/copy.xml"
missing_uri="test:///nonexistent/file.xml"

# stdout, its columns' padding squeezed, must be these lines.
expect_lines ()
{
  local want
  want=$(printf '%s\n' "$@")
  [ "$(tr -s ' ' < "$out")" = "$want" ] || fail "stdout is not:
$want"
}

# stderr must have this line.
expect_error_line ()
{
  grep -qxF -- "$1" "$err" || fail "stderr lacks the line '$1'"
}

# vmemctl watch ARGS... until it says it watches (or exits), then Ctrl-C.
watch_interrupted ()
{
  local pid i
  status=0
  # Emptied before the start: the background job truncates its files only
  # once it runs, and a "Watching" left by the previous watch would have
  # the interrupt sent before this one exists, while the job still ignores
  # SIGINT (as a non-interactive shell's background jobs do).
  : > "$out"
  : > "$err"
  env LD_PRELOAD= "${wrapper[@]}" "$VMEMCTL" watch "$@" > "$out" 2> "$err" &
  pid=$!
  for ((i = 0; i < 30 * time_scale * 5; i++)); do
    grep -q "^Watching" "$err" && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.2
  done
  kill -INT "$pid" 2> /dev/null || true
  wait "$pid" || status=$?
  [ "$status" -ne 99 ] || fail "valgrind found errors in: vmemctl watch $*"
}

header="HOST DOMAIN ALIAS MODEL NODE SIZE BLOCK REQUESTED CURRENT"
vmem_row="test-domain ua-virtiomem0 virtio-mem 0 1GiB 2MiB 128MiB 0B"
dimm_row="test-domain ua-dimm0 dimm 0 512MiB - - -"

# list: HOST first, hosts in the order of -c, then domains by name.
expect_status 0 -c test:///default -c "$file_uri" list
expect_lines "$header" "$file_uri $vmem_row" "$file_uri $dimm_row"
[ ! -s "$err" ] || fail "stderr is not empty"

expect_status 0 -c "$copy_uri" -c "$file_uri" list
expect_lines "$header" "$copy_uri $vmem_row" "$copy_uri $dimm_row" \
  "$file_uri $vmem_row" "$file_uri $dimm_row"
expect_status 0 -c "$file_uri" -c "$copy_uri" list
expect_lines "$header" "$file_uri $vmem_row" "$file_uri $dimm_row" \
  "$copy_uri $vmem_row" "$copy_uri $dimm_row"

# Before the command, -c may be repeated too; the command's own win.
expect_status 0 -c "$copy_uri" -c "$file_uri" list test-domain
expect_lines "$header" "$copy_uri $vmem_row" "$copy_uri $dimm_row" \
  "$file_uri $vmem_row" "$file_uri $dimm_row"
expect_status 0 -c "$copy_uri" -c "$file_uri" list -c "$file_uri"
expect_lines "${header#HOST }" "$vmem_row" "$dimm_row"

expect_status 0 -c test:///default -c "$file_uri" list --json
expect_json "$out" "
assert [(d['host'], d['domain']) for d in data] == [
    ('test:///default', 'test'), ('$file_uri', 'plain'), ('$file_uri', 'test-domain')], data
assert list(data[2]) == ['host', 'domain', 'uuid', 'state', 'devices'], data[2]
assert [v['alias'] for v in data[2]['devices']] == ['ua-virtiomem0', 'ua-dimm0'], data[2]
"

# A domain named is looked for on every host: the hosts without it are
# left out, and it is only missing when no host has it.
expect_status 0 -c test:///default -c "$file_uri" list test-domain
expect_lines "$header" "$file_uri $vmem_row" "$file_uri $dimm_row"
[ ! -s "$err" ] || fail "stderr is not empty"
expect_status 3 -c test:///default -c "$file_uri" list no-such-domain
expect_lines "$header"
expect_error_line "vmemctl: list: test:///default: No domain 'no-such-domain': Domain not found"
expect_error_line "vmemctl: list: $file_uri: No domain 'no-such-domain': Domain not found"

# info: a host line first, a blank line between hosts.
expect_status 0 -c test:///default -c "$file_uri" info test-domain
[ "$(head -n 2 "$out")" = "host:          $file_uri
domain:        test-domain (running)" ] || fail "info does not start with the host"
expect_in "$out" "headroom:      14GiB"
expect_status 0 -c "$file_uri" -c "$copy_uri" info test-domain
[ "$(grep -c '^host:' "$out")" -eq 2 ] || fail "expected 2 hosts"
[ "$(grep -B 1 "^host:          $copy_uri\$" "$out" | head -n 1)" = "" ] \
  || fail "no blank line before the second host"
[ "$(grep '^host:' "$out" | head -n 1)" = "host:          $file_uri" ] \
  || fail "the hosts are not in the order of -c"

# info --json: an array with several hosts, one object per host with it.
# A DIMM, and a virtio-mem device that takes a slot up to libvirt 9.4.
if libvirt_at_least 9.5.0; then used=1; else used=2; fi
expect_status 0 -c test:///default -c "$file_uri" info test-domain --json
expect_json "$out" "
assert isinstance(data, list) and len(data) == 1, data
assert data[0]['host'] == '$file_uri' and data[0]['domain'] == 'test-domain', data
assert data[0]['slots_used'] == $used and data[0]['max_memory'] == 16 << 30, data
"
expect_status 0 -c "$copy_uri" -c "$file_uri" info test-domain --json
expect_json "$out" "
assert [d['host'] for d in data] == ['$copy_uri', '$file_uri'], data
"
# One host: one object, as ever, with its host.
expect_status 0 -c "$file_uri" info test-domain --json
expect_json "$out" "
assert isinstance(data, dict) and data['host'] == '$file_uri', data
"

# A host that fails: its error on stderr, prefixed with it; the others'
# rows still; the status of the first failure (1: libvirt's).
expect_status 1 -c "$file_uri" -c "$missing_uri" list
expect_lines "$header" "$file_uri $vmem_row" "$file_uri $dimm_row"
expect_in "$err" "vmemctl: list: $missing_uri: Cannot open $missing_uri: "
[ "$(grep -c '^vmemctl: ' "$err")" -eq 1 ] || fail "expected one error"

expect_status 1 -c "$missing_uri" -c "$file_uri" list --json
expect_json "$out" "assert [d['host'] for d in data] == ['$file_uri'] * 2, data"
expect_in "$err" "vmemctl: list: $missing_uri: Cannot open $missing_uri: "

expect_status 1 -c "$missing_uri" -c "$file_uri" info test-domain
[ "$(head -n 1 "$out")" = "host:          $file_uri" ] || fail "the good host's info is missing"
expect_in "$err" "vmemctl: info: $missing_uri: Cannot open $missing_uri: "

# The first failure's status: libvirt's (1) before the domain missing (3).
expect_status 1 -c "$missing_uri" -c "$file_uri" info no-such-domain
expect_in "$err" "vmemctl: info: $file_uri: No domain 'no-such-domain'"

# Names: the URI's host, with its port when it has one; the URI without
# its query when it has no host; whole URIs for hosts that look the same.
expect_status 1 -c test:///default -c qemu+unix://127.86.1.2/system \
  -c qemu+unix://127.86.1.2:1/system -c 'qemu+unix:///system?socket=/nonexistent/sock' list
expect_lines "$header"
expect_in "$err" "vmemctl: list: 127.86.1.2: Cannot open qemu+unix://127.86.1.2/system: "
expect_in "$err" "vmemctl: list: 127.86.1.2:1: Cannot open qemu+unix://127.86.1.2:1/system: "
expect_in "$err" "vmemctl: list: qemu+unix:///system: Cannot open qemu+unix:///system?socket=/nonexistent/sock: "
expect_status 1 -c qemu+unix://127.86.1.2/system -c qemu+unix://127.86.1.2/session list --json
expect_in "$err" "vmemctl: list: qemu+unix://127.86.1.2/system: Cannot open "
expect_in "$err" "vmemctl: list: qemu+unix://127.86.1.2/session: Cannot open "
expect_json "$out" 'assert data == [], data'

# One host: as before, with no HOST and no prefix.
expect_status 1 -c "$missing_uri" list
expect_message list "Cannot open $missing_uri: "
grep -q "^vmemctl: list: $missing_uri: " "$err" && fail "one host's error is prefixed"
[ ! -s "$out" ] || fail "stdout is not empty"

# watch: until Ctrl-C, status 0; a host that fails is reported, and
# the watch goes on with the others, then exits with its status.
watch_interrupted -c test:///default -c "$file_uri"
[ "$status" -eq 0 ] || fail "vmemctl watch exited with $status, expected 0"
expect_error_line "Watching the memory devices of 3 domains on 2 hosts; Ctrl-C stops."
echo "ok: vmemctl watch on 2 hosts -> 0"

watch_interrupted -c "$missing_uri" -c "$file_uri" test-domain --json
[ "$status" -eq 1 ] || fail "vmemctl watch exited with $status, expected 1"
expect_in "$err" "vmemctl: watch: $missing_uri: Cannot open $missing_uri: "
expect_error_line "Watching the memory devices of test-domain on 1 host; Ctrl-C stops."
echo "ok: vmemctl watch with a failing host -> 1"

watch_interrupted -c test:///default
[ "$status" -eq 0 ] || fail "vmemctl watch exited with $status, expected 0"
expect_error_line "Watching the memory devices of 1 domain; Ctrl-C stops."
echo "ok: vmemctl watch on 1 host -> 0"

# resize, attach and detach change one domain: one connection only.
expect_status 2 -c test:///default -c "$file_uri" resize test-domain --alias ua-virtiomem0 128MiB
expect_message resize "One connection only, and 2 URIs were given"
expect_in "$err" "Try 'vmemctl resize --help'."
expect_status 2 -c "$file_uri" resize -c test:///default -c "$file_uri" test-domain --node 0 128MiB
expect_message resize "One connection only"
expect_status 2 attach -c test:///default -c "$file_uri" test-domain --model dimm --size 128MiB
expect_message attach "One connection only"
expect_status 2 detach -c test:///default -c "$file_uri" test-domain --alias ua-dimm0
expect_message detach "One connection only"
# A command's own -c stands for those before it.
expect_status 1 -c test:///default -c "$copy_uri" resize -c "$file_uri" test-domain --alias ua-virtiomem0 512MiB
expect_message resize "not supported"

echo "PASS"
