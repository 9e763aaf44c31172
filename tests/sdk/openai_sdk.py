"""The official OpenAI Python SDK, unchanged, against gathering's /v1 surface.

Run by tests/it/llm.rs with OPENAI_BASE_URL (http://127.0.0.1:PORT/v1) and OPENAI_API_KEY (a
gathering API key) set; prints one JSON report on stdout for the test to check. The model
"tools-model" is a hosted model the test registered (a local server that always answers with two
tool calls).
"""
import json

import openai
from openai import OpenAI

client = OpenAI()  # base URL and key from the environment, as any user would configure it
report = {}

report["models"] = [m.id for m in client.models.list()]

question = [{"role": "user", "content": "What is the capital of Japan?"}]
whole = client.chat.completions.create(
    model="smollm2-135m-instruct", messages=question, temperature=0, max_tokens=24
)
report["answer"] = whole.choices[0].message.content
report["usage"] = whole.usage.total_tokens

stream = client.chat.completions.create(
    model="smollm2-135m-instruct", messages=question, temperature=0, max_tokens=24, stream=True
)
report["streamed"] = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)

tools = [
    {"type": "function", "function": {"name": "calculator", "parameters": {"type": "object"}}},
    {"type": "function", "function": {"name": "now", "parameters": {"type": "object"}}},
]
called = client.chat.completions.create(model="tools-model", messages=question, tools=tools)
report["tool_calls"] = [c.function.name for c in called.choices[0].message.tool_calls]

embedded = client.embeddings.create(
    model="all-minilm-l6-v2", input=["A man is playing a guitar.", "Gathering runs agents."]
)
report["embedding_dims"] = [len(d.embedding) for d in embedded.data]

try:
    OpenAI(api_key="gk_not-a-key").models.list()
    report["bad_key_status"] = 200
except openai.AuthenticationError as e:
    report["bad_key_status"] = e.status_code

print(json.dumps(report))
