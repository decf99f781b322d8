"""Test helpers: scripted models, the loopback OpenAI-compatible server, the data folder."""
