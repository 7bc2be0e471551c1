# tap.sh: TAP output for the shell tests (source it)
#
# ok CONDITION-STATUS DESCRIPTION [DIAGNOSTIC]: prints "ok N" or
# "not ok N" with the diagnostic as comment lines, counting in $n and
# $failed (both start at 0).
n=0 failed=0

ok () {
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $n - $2"
  else
    failed=$((failed + 1))
    echo "not ok $n - $2"
    [ -n "${3:-}" ] && while IFS= read -r line; do echo "# $line"; done <<<"$3"
  fi
}
