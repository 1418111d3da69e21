"""The OpenAPI schema's error answers, documented in one place for every operation.

``document_errors`` is a drf-spectacular postprocessing hook (``SPECTACULAR_SETTINGS``): it adds the
error statuses an operation can answer, all with ONE body shape, the ``Error`` component, which is
what ``portal.api.exceptions.exception_handler`` (DRF's handler underneath) answers:

- ``{"detail": "…", "code": "…"}`` for 401/403/404/405/409/429 and for a refusal that is not
  about one field;
- ``{"<field>": ["…"], "non_field_errors": ["…"]}`` for a 400 on a request body or query parameter.

Which statuses an operation documents:

- 401 every operation (a wrong or expired token is refused on any of them), 403 every operation
  (a read-only token, a role, or a verb's permission check), 429 every operation (throttles);
- 400 an operation with a request body or query parameters (both are validated), and every write
  (a verb refuses what its rules do not allow, with a reason);
- 404 an operation with path parameters (the object), a cursor (an invalid cursor) or a page
  number (a page past the last), and every
  write (the object a body names: a case code and query secret, a complaint to merge into);
- 409 a write (the object is not in a state the verb accepts: ``TransitionError``).
"""

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "错误应答。detail：原因（可展示给用户）；code：机器可读的错误代码；"
        "请求参数或请求体校验失败（400）时，以字段名为键给出该字段的错误信息列表。"
    ),
    "properties": {
        "detail": {"type": "string", "description": "原因"},
        "code": {
            "type": "string",
            "description": "错误代码，如 not_found、permission_denied、illegal_transition",
        },
    },
    "additionalProperties": {
        "description": "字段名 → 错误信息列表（或嵌套对象的错误）",
        "anyOf": [
            {"type": "array", "items": {}},
            {"type": "object"},
            {"type": "string"},
        ],
    },
}
DESCRIPTIONS = {
    "400": "请求参数或请求体无效",
    "401": "未登录，或接口令牌无效、过期、已吊销",
    "403": "无权执行该操作（角色、只读令牌或业务权限）",
    "404": "对象不存在或不可见，或分页游标、页码无效",
    "409": "对象当前状态不允许该操作",
    "429": "请求过于频繁",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def statuses_for(method: str, operation: dict) -> list[str]:
    parameters = operation.get("parameters", [])
    codes = ["401", "403", "429"]
    write = method in WRITE_METHODS
    if write or "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
        codes.append("400")
    if write or any(p.get("in") == "path" or p.get("name") in ("cursor", "page") for p in parameters):
        codes.append("404")
    if write:
        codes.append("409")
    return sorted(codes)


def document_errors(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code in statuses_for(method, operation):
                responses.setdefault(
                    code,
                    {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}},
                )
    return result
