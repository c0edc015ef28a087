#!/usr/bin/env bash
# Builds the libFuzzer targets of Tests/Fuzz and runs them (README, "Fuzzing").
#
#   scripts/fuzz.sh [TARGET…]           fuzz each target for $FUZZ_SECONDS (default 180) seconds
#   scripts/fuzz.sh --check [TARGET…]   what `make test` runs: each target over its seed corpus, then
#                                       fuzzing for $FUZZ_CHECK_SECONDS (default 5) seconds
#
# The modules are built by SwiftPM, instrumented (-sanitize=fuzzer,address), in .build-fuzz (git-ignored),
# so `swift build` and `swift test` never see the fuzz targets; each target is one file of
# Tests/Fuzz/Targets, compiled with Tests/Fuzz/Support and the ingress's store double (shared with
# Tests/IngressTests) and linked against those modules' objects.
# A crash or a violated property stops the target and is kept as a file in .build-fuzz/crashes/TARGET/
# (reproduce: .build-fuzz/fuzz/TARGET FILE). Inputs that reach new code go to .build-fuzz/corpus/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=fuzz
if [[ "${1:-}" == "--check" ]]; then mode=check; shift; fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
	targets=()
	for file in Tests/Fuzz/Targets/*.swift; do targets+=("$(basename "$file" .swift)"); done
fi

build=.build-fuzz
flags=(-Xswiftc -sanitize=fuzzer,address)
echo "fuzz: building the instrumented modules in $build"
for product in SwitchboardApp EventBusInMemory; do
	nice -n 10 swift build --build-path "$build" --target "$product" "${flags[@]}" 2>&1 | grep -v '^\[' || true
	test "${PIPESTATUS[0]}" -eq 0
done
# Every Swift module of Sources/ that was built (the C shims have no objects; the executable's main is left out).
modules=()
for source in Sources/*/ Sources/Services/*/; do
	module=$(basename "$source")
	if [ "$module" = Services ] || [ "$module" = switchboard ]; then continue; fi
	if compgen -G "$build/debug/$module.build/*.o" > /dev/null; then modules+=("$module"); fi
done
# The objects of each module's current sources, from its output file map: objects of deleted sources stay
# in the build folder and must not be linked.
objects=()
for module in "${modules[@]}"; do
	while IFS= read -r object; do objects+=("$object"); done < <(python3 -c '
import json, os, sys
for source, outputs in json.load(open(sys.argv[1])).items():
    if source and os.path.exists(source) and "object" in outputs:
        print(outputs["object"])
' "$build/debug/$module.build/output-file-map.json")
done
clang_modules=()
for library in CHiredis CMicroHTTPD CCurl; do clang_modules+=(-Xcc "-fmodule-map-file=Sources/$library/module.modulemap"); done
mkdir -p "$build/fuzz"
for target in "${targets[@]}"; do
	nice -n 10 swiftc -swift-version 6 -parse-as-library -sanitize=fuzzer,address -g -module-name "FuzzTarget" \
		-I "$build/debug/Modules" "${clang_modules[@]}" $(pkg-config --cflags-only-I hiredis libmicrohttpd libcurl) \
		Tests/Fuzz/Support/*.swift Tests/IngressTests/Support/MemoryIngressStore.swift "Tests/Fuzz/Targets/$target.swift" \
		"${objects[@]}" \
		$(pkg-config --libs hiredis libmicrohttpd libcurl) -o "$build/fuzz/$target" 2>&1 | grep -v 'Cannot export local symbol' || true
	test "${PIPESTATUS[0]}" -eq 0
done

seconds=${FUZZ_SECONDS:-180}
[[ $mode == check ]] && seconds=${FUZZ_CHECK_SECONDS:-5}
summary=()
status=0
for target in "${targets[@]}"; do
	seeds="Tests/Fuzz/Corpus/$target"
	corpus="$build/corpus/$target"
	crashes="$build/crashes/$target"
	mkdir -p "$corpus" "$crashes"
	[[ $mode == check ]] && corpus=$(mktemp -d)
	log="$build/fuzz/$target.log"
	echo "fuzz: $target for ${seconds}s over $seeds"
	if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
		-detect_leaks=0 -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" "$seeds" >"$log" 2>&1; then
		result="ok"
	else
		result="FAILED (log $log, input in $crashes/)"
		status=1
		tail -30 "$log"
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	summary+=("$target: ${runs:-?} executions in ${seconds}s, $result")
	[[ $mode == check ]] && rm -rf "$corpus"
done
printf 'fuzz: %s\n' "${summary[@]}"
exit $status
