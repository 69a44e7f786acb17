"""Prints action.yml (a composite action) as a workflow, so that actionlint, which lints
workflows, checks the action's steps and expressions too: the action's inputs become
workflow_dispatch inputs, its steps one job's steps, its output values one last step's env.
Also checks what is particular to composite actions and actionlint does not know: every `run`
step names its `shell`.

    python action_as_workflow.py action.yml > action-workflow.yml
"""

import json
import sys

import yaml


def main(path):
    with open(path, encoding="utf-8") as file:
        action = yaml.safe_load(file)
    problems = []
    for key in ("name", "description", "runs"):
        if key not in action:
            problems.append(f"{path}: no `{key}`")
    runs = action.get("runs", {})
    if runs.get("using") != "composite":
        problems.append(f"{path}: runs.using is not `composite`")
    steps = list(runs.get("steps", []))
    for number, step in enumerate(steps, 1):
        if "run" in step and "shell" not in step:
            problems.append(f"{path}: step {number} ({step.get('name')}) runs without `shell`")
    if problems:
        sys.exit("\n".join(problems))

    inputs = {
        name: {
            "description": spec.get("description", ""),
            "required": bool(spec.get("required", False)),
            "default": str(spec.get("default", "")),
            "type": "string",
        }
        for name, spec in action.get("inputs", {}).items()
    }
    outputs = {name: spec["value"] for name, spec in action.get("outputs", {}).items()}
    if outputs:
        steps.append({"name": "outputs", "shell": "bash", "env": outputs, "run": "true"})
    workflow = {
        "name": action["name"],
        "on": {"workflow_dispatch": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": steps}},
    }
    # JSON is YAML, and keeps every string exactly as it was.
    print(json.dumps(workflow, indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
