"""The official OpenAI Python SDK, unchanged, talking to a gathering agent as `agent:calc`.

Run by tests/it/agents.rs with OPENAI_BASE_URL and OPENAI_API_KEY set; prints one JSON report.
The agent `calc` runs on a scripted model that calls the calculator (6*7) and then answers with
the tool's result, so the answer contains 42.
"""
import json

import openai
from openai import OpenAI

client = OpenAI()
report = {"models": [m.id for m in client.models.list()]}

question = [
    {"role": "system", "content": "Answer briefly."},
    {"role": "user", "content": "What is 6 times 7?"},
]
whole = client.chat.completions.create(model="agent:calc", messages=question)
report["answer"] = whole.choices[0].message.content
report["usage"] = whole.usage.total_tokens

stream = client.chat.completions.create(model="agent:calc", messages=question, stream=True)
report["streamed"] = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)

try:
    client.chat.completions.create(model="agent:nobody", messages=question)
    report["unknown_agent_status"] = 200
except openai.NotFoundError as e:
    report["unknown_agent_status"] = e.status_code

print(json.dumps(report))
