#!/usr/bin/env bash
# Runs `grantbot $GRANTBOT_COMMAND $GRANTBOT_ARGS` in the current directory, copying its standard
# output to a file (step output `output-file`) and, with GRANTBOT_JOB_SUMMARY=true, to the job
# summary. validate's `file:line: message` lines become annotations on the pull request.
set -euo pipefail
if ! [[ "$GRANTBOT_COMMAND" =~ ^[a-z][a-z-]*$ ]]; then
  echo "::error::grantbot action: command must be a grantbot command such as validate (got \"$GRANTBOT_COMMAND\")"
  exit 2
fi
set -f # the arguments are split on spaces, never globbed
read -r -a args <<< "${GRANTBOT_ARGS:-}"
set +f
out="$(mktemp "${RUNNER_TEMP:-/tmp}/grantbot-$GRANTBOT_COMMAND-XXXXXX")"
echo "output-file=$out" >> "$GITHUB_OUTPUT"
matcher=false
if [ "$GRANTBOT_COMMAND" = validate ]; then
  echo "::add-matcher::$GITHUB_ACTION_PATH/problem-matcher.json"
  matcher=true
fi
set +e
node "$GRANTBOT_ROOT/bin/grantbot.js" "$GRANTBOT_COMMAND" "${args[@]}" | tee "$out"
status="${PIPESTATUS[0]}"
set -e
if [ "$matcher" = true ]; then echo "::remove-matcher owner=grantbot::"; fi
if [ "${GRANTBOT_JOB_SUMMARY:-false}" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$out" >> "$GITHUB_STEP_SUMMARY"
fi
exit "$status"
