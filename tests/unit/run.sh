#!/bin/sh
# Unit tests: each tests/unit/*_test.c is linked against libmvm and run;
# it prints its own PASS/FAIL lines (see tests/unit/check.h).
cd "$(dirname "$0")/../.." || exit 2
B=${BUILD:-build}
[ "${SAN:-}" = 1 ] && B=build/san && SANF="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CC=${CC:-cc}
out=$B/tests/unit
mkdir -p "$out"
make --no-print-directory -s BUILD="$B" SAN="${SAN:-}" "$B/libmvm.a" >/dev/null || { echo "FAIL unit/build: libmvm"; exit 1; }
# The optional libraries libmvm was built with (the Makefile's probes).
have_cflags=$(make --no-print-directory -s BUILD="$B" SAN="${SAN:-}" print-HAVE_CFLAGS)
have_libs=$(make --no-print-directory -s BUILD="$B" SAN="${SAN:-}" print-HAVE_LIBS)
for src in tests/unit/*_test.c; do
  [ -e "$src" ] || continue
  name=$(basename "$src" .c)
  if ! $CC -std=c11 -O1 -g -Wall -Wextra -Wno-unused-parameter -D_DEFAULT_SOURCE -D_GNU_SOURCE \
      -frounding-math -I. -Iinclude $have_cflags ${SANF:-} -o "$out/$name" "$src" "$B/libmvm.a" $have_libs -lm \
      2>"$out/$name.log"; then
    echo "FAIL unit/$name: does not compile"; sed 's/^/  /' "$out/$name.log" | head -20; continue
  fi
  "$out/$name" || echo "FAIL unit/$name: exited $?"
done
