"""A small MCP server for gathering's MCP client tests (tests/it/mcp.rs).

Built on the official MCP Python SDK (`mcp==2.3.0`, installed into .gathering/sdk-venv by
`scripts/bootstrap sdk`). Usage:

    python tests/mcp/server.py stdio         # JSON-RPC over stdin/stdout
    python tests/mcp/server.py http PORT     # streamable HTTP on 127.0.0.1:PORT, path /mcp

Tools: add(a, b), echo(text), fail(message) (always an error result), slow(seconds).
"""

import sys

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer("gathering-test", version="1.0.0", log_level="WARNING")


@server.tool()
def add(a: int, b: int) -> int:
    """Adds two integers."""
    return a + b


@server.tool()
def echo(text: str) -> str:
    """Returns the text unchanged."""
    return text


@server.tool()
def fail(message: str) -> str:
    """Always fails with the given message."""
    # A ToolError is a deliberate failure: its text reaches the client (any other exception
    # is a crash, and the SDK keeps its text on the server).
    raise ToolError(message)


@server.tool()
async def slow(seconds: float) -> str:
    """Sleeps for the given number of seconds, then answers "done"."""
    await anyio.sleep(seconds)
    return "done"


def main() -> None:
    usage = "usage: server.py stdio | server.py http PORT"
    if len(sys.argv) == 2 and sys.argv[1] == "stdio":
        server.run("stdio")
    elif len(sys.argv) == 3 and sys.argv[1] == "http":
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]), streamable_http_path="/mcp")
    else:
        sys.exit(usage)


if __name__ == "__main__":
    main()
