from pathlib import Path

import pytest

from readcast.errors import ConfigError
from readcast.project.settings import load_settings


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "readcast.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_defaults_fill_everything_but_the_title(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[podcast]\ntitle = "Only a title"\n'))
    assert settings.podcast.title == "Only a title"
    assert settings.podcast.language == "en"
    assert settings.podcast.explicit is False
    assert settings.voice.engine == "hibari"
    assert settings.voice.speed == 1.0
    audio = settings.audio
    assert (audio.bitrate, audio.sample_rate, audio.loudness) == ("64k", 44100, -16.0)
    assert settings.base_url == "http://localhost:8000/"


def test_missing_title_is_an_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, "[podcast]\nauthor = 'x'\n"))
    assert str(tmp_path / "readcast.toml") in str(err.value)
    assert "[podcast] title is required" in str(err.value)


def test_unknown_keys_and_wrong_types_are_all_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(
            write(
                tmp_path,
                """
[podcast]
title = "T"
titel = "typo"
explicit = "no"
[audio]
sample_rate = "44100"
[extra]
x = 1
""",
            )
        )
    message = str(err.value)
    assert "has 4 problems" in message
    assert "[podcast] unknown key 'titel'" in message
    assert "[podcast] explicit must be true or false, not 'no'" in message
    assert "[audio] sample_rate must be a whole number, not '44100'" in message
    assert "unknown section [extra]" in message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('category = "Games & Hobbies"', "category 'Games & Hobbies' is not in Apple's list"),
        ('language = "english"', "language 'english' is not a language code"),
        ('base_url = "example.com"', "base_url 'example.com' must start with https://"),
        ('email = "nobody"', "email 'nobody' is not an e-mail address"),
        ('subcategory = "Books"', "subcategory 'Books' does not belong to 'Technology'"),
    ],
)
def test_bad_podcast_values(tmp_path: Path, line: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, f'[podcast]\ntitle = "T"\n{line}\n'))
    assert expected in str(err.value)


@pytest.mark.parametrize(
    ("section", "line", "expected"),
    [
        ("voice", "speed = 3", "[voice] speed must be between 0.5 and 2.0, not 3.0"),
        ("audio", 'bitrate = "64"', "[audio] bitrate '64' must look like '64k'"),
        ("audio", "loudness = -40", "[audio] loudness must be between -30 and -10 LUFS, not -40.0"),
        ("audio", "sample_rate = 8000", "[audio] sample_rate must be 44100 or 48000"),
    ],
)
def test_bad_voice_and_audio_values(tmp_path: Path, section: str, line: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, f'[podcast]\ntitle = "T"\n[{section}]\n{line}\n'))
    assert expected in str(err.value)


def test_integer_is_accepted_where_a_number_is_expected(tmp_path: Path) -> None:
    settings = load_settings(
        write(tmp_path, '[podcast]\ntitle = "T"\n[voice]\nspeed = 1\n[audio]\nloudness = -19\n')
    )
    assert settings.voice.speed == 1.0 and isinstance(settings.voice.speed, float)
    assert settings.audio.loudness == -19.0


def test_broken_toml_names_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, '[podcast\ntitle = "T"\n'))
    assert "not valid TOML" in str(err.value)


def test_missing_file_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    assert "readcast init" in str(err.value)


def test_pronunciations_are_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, '[podcast]\ntitle = "T"\n[pronunciations]\nGIF = { sound = "x" }\n'))
    assert "[pronunciations] 'GIF'" in str(err.value)
    ok = load_settings(
        write(
            tmp_path,
            '[podcast]\ntitle = "T"\n[pronunciations]\nTelevero = "Tele-VAIR-oh"\nGIF = { ipa = "dʒɪf" }\n',
        )
    )
    assert ok.pronunciations == {"Televero": "Tele-VAIR-oh", "GIF": {"ipa": "dʒɪf"}}


def test_cli_flags_override_the_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[podcast]\ntitle = "T"\nbase_url = "https://a.example/"\n'))
    changed = settings.with_overrides(base_url="https://b.example/cast", engine="gtts", voice="v")
    assert changed.base_url == "https://b.example/cast/"
    assert (changed.voice.engine, changed.voice.voice) == ("gtts", "v")
