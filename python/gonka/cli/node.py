"""`gonka node`: the ML node service."""

import typer

app = typer.Typer(help="The ML node service.", no_args_is_help=True)


@app.command("serve")
def serve(
    host: str = typer.Option(None, help="Interface to listen on (env GONKA_NODE_HOST, default 0.0.0.0)."),
    port: int = typer.Option(None, help="Port of the ML node API (env GONKA_NODE_PORT, default 8080)."),
    spool_dir: str = typer.Option(
        None, help="Directory of undelivered callback batches (env GONKA_NODE_SPOOL_DIR)."
    ),
    devices: str = typer.Option(None, help="'auto', 'cpu' or CUDA indices '0,1' (env GONKA_NODE_DEVICES)."),
    engine: str = typer.Option(None, help="PoC engine: auto, torch or triton (env GONKA_NODE_ENGINE)."),
    poc: str = typer.Option(None, "--poc", help="Which PoC to serve: v1 or v2 (env GONKA_NODE_POC)."),
    model: str = typer.Option(
        None,
        "--model",
        help="PoC v2 model: 'tiny', a checkpoint directory or a config.json (env GONKA_NODE_MODEL).",
    ),
    dtype: str = typer.Option(None, help="auto, float16 or float32 (env GONKA_NODE_DTYPE)."),
    inference_command: str = typer.Option(
        None,
        help="Command serving an OpenAI-compatible API, with {model}/{dtype} fields "
        "(env GONKA_NODE_INFERENCE_COMMAND).",
    ),
    log_format: str = typer.Option(None, help="json or text (env GONKA_NODE_LOG_FORMAT)."),
) -> None:
    """Serve the ML node API (PoC generation/validation, inference control) until interrupted."""
    from gonka.node import NodeSettings
    from gonka.node import serve as serve_node
    from gonka.node.errors import InvalidSettings

    try:
        settings = NodeSettings.from_env(
            host=host,
            port=port,
            spool_dir=spool_dir,
            devices=devices,
            engine=engine,
            poc=poc,
            model=model,
            dtype=dtype,
            inference_command=inference_command,
            log_format=log_format,
        )
    except InvalidSettings as exc:
        raise typer.BadParameter(str(exc)) from None
    serve_node(settings)


@app.command("seeds")
def seeds(
    node: str = typer.Option(
        None, "--node", envvar="GONKA_NODE_URL", help="Public URL of a Gonka node (env GONKA_NODE_URL)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Seed/peer list (id@host:port) from a node's net_info, as the join config's SEED_* variables."""
    from urllib.parse import urlsplit

    from gonka.cli._chain import emit, node_client
    from gonka.client.models import Peer

    with node_client(node) as client:
        status, net = client.node_status(), client.net_info()
    endpoints = client.endpoints
    host = urlsplit(endpoints.dapi).hostname or ""
    own = Peer(node_id=status.node_id, listen_addr=status.listen_addr, remote_ip=host).seed_address()
    p2p = f"tcp://{own.split('@', 1)[1]}" if own else ""
    values = {
        "SEED_API_URL": endpoints.dapi,
        "SEED_NODE_RPC_URL": endpoints.rpc,
        "SEED_NODE_P2P_URL": p2p,
        "seeds": ([own] if own else []) + [s for s in net.seed_list() if s != own],
    }

    def render() -> None:
        for name in ("SEED_API_URL", "SEED_NODE_RPC_URL", "SEED_NODE_P2P_URL"):
            typer.echo(f"export {name}={values[name]}")
        peers = len(values["seeds"])
        typer.echo(f"# {peers} peers of {status.moniker or status.node_id} on {status.network}")
        typer.echo(f"export SEEDS={','.join(values['seeds'])}")

    emit(values, as_json, render)
