"""The published benchmark: its scenarios, the pinned upstream data and its checksums."""

from __future__ import annotations

SCENARIOS: dict[str, str] = {
    "biochem": "Biochem",
    "child": "Child",
    "code": "Code",
    "health": "Health",
    "travel": "Travel",
}
"""Scenario key (task name) -> folder name in the upstream data."""

UPSTREAM_REPO = "zzzhr97/SpecBench"
"""The upstream repository on GitHub (the Hugging Face dataset has the same name)."""
PINNED_COMMIT = "3794a18a63c92984b6eb1ab16bb6fe4ff77bcafb"
GITHUB_RAW_ROOT = f"https://raw.githubusercontent.com/{UPSTREAM_REPO}/{PINNED_COMMIT}"
"""The upstream repository's files at `PINNED_COMMIT` (`{root}/{repository path}`)."""
HF_DATASET = UPSTREAM_REPO
DATA_PREFIX = "data/"
"""Where the data files live in the upstream repository."""

UPSTREAM_SHA256: dict[str, str] = {
    "LICENSE": "c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4",
    "config/config_eval_model.yaml": "5ccfa394d1d221ec6278046df00d39a0f8306ccc671f007bc2b5ded05897fed0",
    "config/config_model.yaml": "8906c69f19ea68c98f739a9717e4579a6e672e52538e8a25381c61b3c792f2d9",
    "config/config_ttd.yaml": "4835d2ae07630753581c4e961e70a171cbae71badb4acdda47a86caa93180a88",
    "data/Biochem/prompts.json": "642d6a49f0575a9450f84591ee4e74b3e99cd7d802fe2680118e583a6883d8c8",
    "data/Biochem/scenario.json": "fafe455f30a27a1a14ec9804618ae027be58be42294d7faa0c3530640493c331",
    "data/Biochem/specifications.json": "f388b2ef249a60f2e5a55fd04f0175cfa8f3587296fa04cb81cb0f9ae936c278",
    "data/Child/prompts.json": "4dee52f914d042bbcfb200abe889d5cc8b277601c4f4c6215ca806f2ab1219f6",
    "data/Child/scenario.json": "554a91dd64ecb2da8a61f78012a9a0a1a317bdbb3bcbe9109aa83b153ce556bb",
    "data/Child/specifications.json": "9430889b7aaa48e750d1de52b10e0fa3ae399ff4958072a0ac0fa29b98b94519",
    "data/Code/prompts.json": "d38c17b12f3c6f61f2fb11a3349f7328561073db6d63ec1405610623ac122272",
    "data/Code/scenario.json": "05aee0ed27144ddcb42c2f61b3e12387aa53eccc8ae9ca427a843f5147cc623c",
    "data/Code/specifications.json": "7099e4f2e4d302a772d3a2da1122aa5c4244605710091c944ff0a57f82286c7d",
    "data/Health/prompts.json": "ed31acef16aa2a5b0e4217d67f890fb1a357c03b6b458cf3c9dbed29b2e019bb",
    "data/Health/scenario.json": "6479218f2549c0a90dbb35db8c83783b0b192126900da06aebad2aa27b63b992",
    "data/Health/specifications.json": "6488a1aca5a8b13bde78217c8cba3fc32048190c51f519c7b4812822b5ca2f89",
    "data/Travel/prompts.json": "8d83c59911d137842c7d37280499e533a7df99d6d37bdf634e313551c473eb5f",
    "data/Travel/scenario.json": "1448afb9e4d7436db6dc50ea9fe01423dcd2d1940459de9d075c42fafaf1cc34",
    "data/Travel/specifications.json": "bfe9351258eb27221c9f11e4894e5919191575138cd89a8d15d2829dc31f05c0",
    "specbench/__init__.py": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "specbench/chat_templates/Qwen3.jinja": "a5938c30a311adef1ce99d4e7a2c12f919b2edffc5edf41981c0159cc7a8d6a9",
    "specbench/chat_templates/config.json": "4f7cd6ef433a71b76e4f491f866664ee1f090ecc24e851231dff3ba2e94ff651",
    "specbench/chat_templates/deepseek.jinja": "778f0b40ded3b966bc7840afd28918f15ee77b5a26d77b9626f42ab9f9120eb1",
    "specbench/evaluator.py": "f005ec2079a5266e6a181f764ab94166afd92c51e810bf9c2c839865a859e206",
    "specbench/prompt_eval.py": "7f46a855c59d6b5a481019c16a7c70eac6a68cd67bf7be90fd29bd7eafb49191",
    "specbench/prompt_ttd.py": "524089e051b6deefefe9a92503e36365b10f2c5363a79010e5540133d1b7fb35",
    "specbench/ttd.py": "579ebfbba0c8980773a62634b95b99de18e5c6e60dcc6d80706406c8b4c3c524",
    "specbench/utils.py": "52e4ff57e64e518ec47817543e558b2e936742daf03a8fa17fe0cc13a6638a54",
}
"""SHA-256 of each upstream file the package may use, by repository path, at `PINNED_COMMIT`."""

LOCAL_DATA_HINT = (
    "To run without downloading, pass -T data_dir=PATH or set SPECBENCH_DATA_DIR=PATH (a "
    "folder with one subfolder per scenario, e.g. Travel/ holding scenario.json, "
    "specifications.json and prompts.json), or set SPECBENCH_UPSTREAM_DIR=PATH (a copy of the "
    "upstream repository)."
)
"""How to run from local files when the data cannot be downloaded."""

PUBLISHED_FINGERPRINTS: dict[str, str] = {
    "biochem": "5d92a2c10112663303cc71cd628f151af43e67dcdc0e3b2c750f2ff8f3747d21",
    "child": "8d4a5f3b5b5093f32517d3e13b276d5e722b8ca3c5cc69e1e6620088e8a78588",
    "code": "706634d2fd9e7b1fe8727bb5551ba02924be8b31cef579b30f17abe7b06ce0e8",
    "health": "afcbfe9db373c398ea1500354f4344240f3904e76bfc093be2ddc48cbda39230",
    "travel": "ffc1567e9ec4d594ccb4fdd5663522c81dcf39d217bc4f2d48762a8bc2aa6284",
}
"""Scenario key -> `Scenario.fingerprint` of the published data (whatever the source)."""
