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
PINNED_COMMIT = "3794a18a63c92984b6eb1ab16bb6fe4ff77bcafb"
GITHUB_RAW_URL = f"https://raw.githubusercontent.com/{UPSTREAM_REPO}/{PINNED_COMMIT}/data"
HF_DATASET = "zzzhr97/SpecBench"

FILE_SHA256: dict[str, str] = {
    "Biochem/prompts.json": "642d6a49f0575a9450f84591ee4e74b3e99cd7d802fe2680118e583a6883d8c8",
    "Biochem/scenario.json": "fafe455f30a27a1a14ec9804618ae027be58be42294d7faa0c3530640493c331",
    "Biochem/specifications.json": "f388b2ef249a60f2e5a55fd04f0175cfa8f3587296fa04cb81cb0f9ae936c278",
    "Child/prompts.json": "4dee52f914d042bbcfb200abe889d5cc8b277601c4f4c6215ca806f2ab1219f6",
    "Child/scenario.json": "554a91dd64ecb2da8a61f78012a9a0a1a317bdbb3bcbe9109aa83b153ce556bb",
    "Child/specifications.json": "9430889b7aaa48e750d1de52b10e0fa3ae399ff4958072a0ac0fa29b98b94519",
    "Code/prompts.json": "d38c17b12f3c6f61f2fb11a3349f7328561073db6d63ec1405610623ac122272",
    "Code/scenario.json": "05aee0ed27144ddcb42c2f61b3e12387aa53eccc8ae9ca427a843f5147cc623c",
    "Code/specifications.json": "7099e4f2e4d302a772d3a2da1122aa5c4244605710091c944ff0a57f82286c7d",
    "Health/prompts.json": "ed31acef16aa2a5b0e4217d67f890fb1a357c03b6b458cf3c9dbed29b2e019bb",
    "Health/scenario.json": "6479218f2549c0a90dbb35db8c83783b0b192126900da06aebad2aa27b63b992",
    "Health/specifications.json": "6488a1aca5a8b13bde78217c8cba3fc32048190c51f519c7b4812822b5ca2f89",
    "Travel/prompts.json": "8d83c59911d137842c7d37280499e533a7df99d6d37bdf634e313551c473eb5f",
    "Travel/scenario.json": "1448afb9e4d7436db6dc50ea9fe01423dcd2d1940459de9d075c42fafaf1cc34",
    "Travel/specifications.json": "bfe9351258eb27221c9f11e4894e5919191575138cd89a8d15d2829dc31f05c0",
}
"""SHA-256 of each data file at `PINNED_COMMIT` (path relative to the upstream `data/`)."""

PUBLISHED_FINGERPRINTS: dict[str, str] = {
    "biochem": "5d92a2c10112663303cc71cd628f151af43e67dcdc0e3b2c750f2ff8f3747d21",
    "child": "8d4a5f3b5b5093f32517d3e13b276d5e722b8ca3c5cc69e1e6620088e8a78588",
    "code": "706634d2fd9e7b1fe8727bb5551ba02924be8b31cef579b30f17abe7b06ce0e8",
    "health": "afcbfe9db373c398ea1500354f4344240f3904e76bfc093be2ddc48cbda39230",
    "travel": "ffc1567e9ec4d594ccb4fdd5663522c81dcf39d217bc4f2d48762a8bc2aa6284",
}
"""Scenario key -> `Scenario.fingerprint` of the published data (whatever the source)."""
