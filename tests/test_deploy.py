"""What a platform reads: the Procfile and app.json agree with each other and with the app."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from bot.cli import main
from bot.config import VARIABLES

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_VARIABLES = {"OPENAI_API_KEY"}  # read by litellm, not by Switchboard


def procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text("utf-8").splitlines()
    kinds = dict(line.split(":", 1) for line in lines if line.strip())
    return {kind.strip(): shlex.split(command) for kind, command in kinds.items()}


def test_every_process_type_runs_a_real_command() -> None:
    processes = procfile()
    assert set(processes) == {"web", "worker"}
    for command in processes.values():
        assert command[:3] == ["python", "-m", "bot"]
        assert command[3] in main.commands, command


def test_app_json_deploys_what_the_procfile_declares() -> None:
    manifest = json.loads((ROOT / "app.json").read_text("utf-8"))
    assert set(manifest["formation"]) == set(procfile())
    assert any(str(addon["plan"]).startswith("heroku-redis") for addon in manifest["addons"])
    assert manifest["env"]["ADMIN_TOKEN"]["generator"] == "secret"
    known = {variable.name for variable in VARIABLES} | PROVIDER_VARIABLES
    assert set(manifest["env"]) <= known
