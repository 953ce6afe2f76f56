"""The layers run one way: no import cycle, no upward import, no import hidden in a function."""

from pathlib import Path

from tests import layers

ROOT = Path(__file__).resolve().parent.parent


def test_no_two_modules_import_each_other_even_through_others():
    assert layers.cycles(layers.walk(ROOT)) == []


def test_domain_modules_import_only_their_own_layer_and_the_ones_below():
    assert layers.layer_violations(layers.walk(ROOT)) == []


def test_no_import_hides_inside_a_function():
    assert layers.imports_inside_functions(layers.walk(ROOT)) == []


def _app(root: Path, name: str, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_it_catches_an_upward_import_hidden_inside_a_function(tmp_path):
    _app(tmp_path, "locks", {"__init__.py": "", "services.py": "def f():\n    import backups.x\n"})
    _app(tmp_path, "backups", {"__init__.py": "", "x.py": "from locks import services\n"})
    found = layers.walk(tmp_path, apps=("locks", "backups"))

    assert layers.cycles(found) == [["backups.x", "locks.services"]]
    assert layers.layer_violations(found, ladder=("locks", "backups")) == [
        f"{tmp_path / 'locks' / 'services.py'}:2: locks.services (locks) imports backups.x "
        "from the layer above"
    ]
    assert layers.imports_inside_functions(found) == [
        f"{tmp_path / 'locks' / 'services.py'}:2: import inside a function in locks.services"
    ]


def test_it_catches_a_domain_module_that_imports_template_tags(tmp_path):
    _app(
        tmp_path,
        "locks",
        {
            "__init__.py": "",
            "templatetags/__init__.py": "",
            "templatetags/words.py": "",
            "alerts.py": "from locks.templatetags.words import x\n",
        },
    )
    found = layers.walk(tmp_path, apps=("locks",))

    assert layers.layer_violations(found, ladder=("locks",)) == [
        f"{tmp_path / 'locks' / 'alerts.py'}:1: domain module locks.alerts imports interface "
        "locks.templatetags.words"
    ]


def test_views_may_use_the_services_of_any_app(tmp_path):
    _app(tmp_path, "locks", {"__init__.py": "", "views.py": "from backups import services\n"})
    _app(tmp_path, "backups", {"__init__.py": "", "services.py": "from locks import models\n"})
    found = layers.walk(tmp_path, apps=("locks", "backups"))

    assert layers.layer_violations(found, ladder=("locks", "backups")) == []
