#!/usr/bin/env bash
# Lints the CI templates users copy (ci/templates/): a mistake there only shows up in someone
# else's pipeline. yamllint for the YAML; every shell step extracted and checked with `bash -n`, and
# with shellcheck and actionlint when they are installed (both are skipped, and said so, otherwise).
# tests/it/ci_templates.rs goes further and runs the steps against stub tools.
set -euo pipefail
cd "$(dirname "$0")/.."

templates=(ci/templates/github-actions.yml ci/templates/gitlab-ci.yml)

if ! command -v yamllint >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check yamllint >/dev/null 2>&1 || true
fi
if ! command -v yamllint >/dev/null 2>&1; then
  echo "lint-templates: yamllint is missing and could not be installed (python3 -m pip install yamllint)" >&2
  exit 1
fi
# GitHub's `on:` key is a string, not a YAML 1.1 boolean; comments explain, so lines may run long.
yamllint --strict -d '{extends: default, rules: {line-length: {max: 120}, document-start: disable,
  truthy: {check-keys: false}}}' "${templates[@]}"
echo "lint-templates: yamllint ok"

# The shell steps are read with PyYAML (yamllint's own dependency, so normally already there).
if ! python3 -c 'import yaml' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check pyyaml >/dev/null 2>&1 || true
fi
python3 -c 'import yaml' || { echo "lint-templates: python3 has no PyYAML (python3 -m pip install pyyaml)" >&2; exit 1; }

steps="$(mktemp -d)"
trap 'rm -rf "$steps"' EXIT

# One file per GitHub `run:` step (expressions replaced by a word, as the runner substitutes them
# before bash sees the script) and one per GitLab job (before_script + script run in one shell).
python3 - "$steps" "${templates[@]}" <<'PY'
import re, sys, yaml
out, github, gitlab = sys.argv[1], sys.argv[2], sys.argv[3]

def write(name, lines):
    with open(f"{out}/{name}.sh", "w") as f:
        f.write("#!/usr/bin/env bash\nset -eo pipefail\n" + "\n".join(lines) + "\n")

workflow = yaml.safe_load(open(github))
for job_name, job in workflow["jobs"].items():
    for i, step in enumerate(job.get("steps", [])):
        if "run" in step:
            write(f"github-{job_name}-{i}", [re.sub(r"\$\{\{.*?\}\}", "GITHUB_EXPRESSION", step["run"])])

pipeline = yaml.safe_load(open(gitlab))
for job_name, job in pipeline.items():
    if isinstance(job, dict) and "script" in job:
        lines = []
        for key in ("before_script", "script", "after_script"):
            lines += job.get(key, [])
        write(f"gitlab-{job_name}", lines)
PY

count=0
for script in "$steps"/*.sh; do
  bash -n "$script"
  count=$((count + 1))
done
echo "lint-templates: bash -n ok ($count shell scripts)"

if command -v shellcheck >/dev/null 2>&1; then
  shellcheck --shell=bash "$steps"/*.sh
  echo "lint-templates: shellcheck ok"
else
  echo "lint-templates: shellcheck not installed, skipped (apt-get install shellcheck)"
fi

if command -v actionlint >/dev/null 2>&1; then
  actionlint ci/templates/github-actions.yml
  echo "lint-templates: actionlint ok"
else
  echo "lint-templates: actionlint not installed, skipped (go install github.com/rhysd/actionlint/cmd/actionlint@latest)"
fi
