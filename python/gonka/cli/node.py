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
    dtype: str = typer.Option(None, help="auto, float16 or float32 (env GONKA_NODE_DTYPE)."),
    inference_command: str = typer.Option(
        None,
        help="Command serving an OpenAI-compatible API, with {model}/{dtype} placeholders "
        "(env GONKA_NODE_INFERENCE_COMMAND).",
    ),
    log_format: str = typer.Option(None, help="json or text (env GONKA_NODE_LOG_FORMAT)."),
) -> None:
    """Serve the ML node API (PoC generation/validation, inference control) until interrupted."""
    from gonka.node import NodeSettings
    from gonka.node import serve as serve_node

    try:
        settings = NodeSettings.from_env(
            host=host,
            port=port,
            spool_dir=spool_dir,
            devices=devices,
            engine=engine,
            dtype=dtype,
            inference_command=inference_command,
            log_format=log_format,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    serve_node(settings)
