"""`brisk providers` prints the provider matrix with keys masked."""

from brisk.cli import main

NAMES = ("ollama", "gemini", "openai", "glm4", "openrouter", "siliconflow", "cerebras", "modelscope", "groq")


def test_providers_command_lists_all_nine_and_masks_keys(capsys, monkeypatch):
    secret = "sk-test-abcdefghijklmnop1234"
    monkeypatch.setenv("GROQ_API_KEY", secret)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert main(["providers"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines()[2:] if line.strip()}
    assert set(rows) == set(NAMES)
    assert secret not in out
    assert rows["groq"].split()[1] == "yes"
    assert "not set (OPENAI_API_KEY)" in rows["openai"]
    header = out.splitlines()[0]
    col = header.index("embeddings")

    def embeddings(name: str) -> str:
        return rows[name][col : col + len("embeddings")].strip()

    assert [n for n in NAMES if embeddings(n) == "no"] == ["cerebras", "modelscope", "groq"]
    assert embeddings("openai") == "yes"
