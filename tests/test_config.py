"""Configuration: defaults that run, bad values that stop start-up with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import VARIABLES, ConfigError, Settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_need_no_environment() -> None:
    settings = Settings.from_env({})
    assert settings.port == 8080
    assert settings.redis_url is None
    assert settings.supported_languages == (
        "en",
        "es",
        "fr",
        "de",
        "pt",
        "it",
        "nl",
        "tr",
        "id",
        "pl",
    )
    assert settings.admin_token is None


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("PORT", "eighty", "PORT='eighty': expected a whole number from 1 to 65535"),
        ("PORT", "70000", "PORT='70000'"),
        ("KB_MIN_SCORE", "1.5", "KB_MIN_SCORE='1.5': expected a number from 0 to 1"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL='localhost:6379': expected a URL"),
        ("KB_DIR", "/nowhere/kb", "KB_DIR='/nowhere/kb': no such folder"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL='loud': expected one of debug, info"),
        ("SUPPORTED_LANGUAGES", "en,xx", "no catalogue"),
        ("DEFAULT_LANGUAGE", "ja", "DEFAULT_LANGUAGE='ja': not in SUPPORTED_LANGUAGES"),
    ],
)
def test_a_bad_value_names_its_variable(name: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError, match=None) as caught:
        Settings.from_env({name: value})
    assert says in str(caught.value)


def test_secrets_never_show() -> None:
    settings = Settings.from_env({"ADMIN_TOKEN": "s3cret-s3cret-s3cret"})
    assert settings.admin_token is not None
    assert settings.admin_token.reveal() == "s3cret-s3cret-s3cret"
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings.describe())
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"ADMIN_TOKEN": "short"})
    assert "short" not in str(caught.value)
    assert "ADMIN_TOKEN" in str(caught.value)


def test_serve_refuses_a_bad_value_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "eighty")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == [
        "switchboard: configuration error: PORT='eighty': expected a whole number from 1 to 65535"
    ]


@pytest.mark.parametrize("command", [[], ["serve"], ["config"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: switchboard" in result.output


def test_readme_documents_every_variable() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for var in VARIABLES:
        assert f"| `{var.name}` |" in readme, f"README.md lacks {var.name}"
