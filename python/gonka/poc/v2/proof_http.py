"""The proof API over HTTP (FastAPI; ``pip install gonka[node]``): ``POST /v1/poc/proofs`` and
``POST /v1/poc/proofs/by-nonce`` answered by a :class:`~gonka.poc.v2.proof_api.ProofServer`.

Refusals answer with the reference's statuses (400 malformed or stale, 401 unauthorised or badly
signed, 404 unknown stage or model) and a JSON ``message``.
"""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gonka.poc.v2.proof_api import ProofRequestRejected, ProofServer

__all__ = ["proof_api_router"]


def proof_api_router(server: ProofServer) -> APIRouter:
    router = APIRouter(tags=["PoC v2 proofs"])

    async def answer(request: Request, by_nonce: bool) -> JSONResponse:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"message": "invalid request body"}, status_code=400)
        try:
            response = server.handle(body, by_nonce=by_nonce)
        except ProofRequestRejected as err:
            return JSONResponse({"message": str(err)}, status_code=err.status)
        return JSONResponse(response.to_json())

    @router.post("/v1/poc/proofs")
    async def proofs(request: Request) -> JSONResponse:
        return await answer(request, False)

    @router.post("/v1/poc/proofs/by-nonce")
    async def proofs_by_nonce(request: Request) -> JSONResponse:
        return await answer(request, True)

    return router
