"""The API's request and response shapes (pydantic), for the OpenAPI document.

Bodies are parsed by `inputs.parse_json` (exact decimals) and checked by the scenario parser, so that the API gives
the CLI's messages; these models describe the same shapes for clients. Outputs named by the policy set (one field
per output rule) are open-ended: `extra="allow"`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from ..policy import schema
from .limits import MAX_SCENARIOS

MONTH = r"^\d{4}-\d{2}$"
DATE = r"^\d{4}-\d{2}-\d{2}$"
Lang = Literal["ru", "kk", "en"]

_scenario_schema = {k: v for k, v in schema.SCENARIO_SCHEMA.items() if not k.startswith("$")}
Scenario = Annotated[dict[str, Any], WithJsonSchema(_scenario_schema)]


class Stamp(BaseModel):
    id: str
    version: str
    fingerprint: str = Field(description="sha256 of the policy set's content")


class Engine(BaseModel):
    name: Literal["osms-eval"]
    version: str


class Stamped(BaseModel):
    policy: Stamp
    engine: Engine


class CalculateRequest(BaseModel):
    """One scenario or many, for one month, a range of months, or one day (status on that day). A scenario without
    an `id` is named by its place in the request: scenario-1, scenario-2, …"""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    scenario: Scenario | None = None
    scenarios: list[Scenario] | None = Field(None, min_length=1, max_length=MAX_SCENARIOS)
    month: str | None = Field(None, pattern=MONTH)
    from_: str | None = Field(None, alias="from", pattern=MONTH)
    to: str | None = Field(None, pattern=MONTH)
    on: str | None = Field(None, pattern=DATE, description="A day: that month's amounts and the status on the day")


class ExplainRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: Scenario
    month: str = Field(pattern=MONTH)
    outputs: list[str] | None = Field(None, description="Output rules to explain (all if omitted)")


class CoverageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: Scenario
    on: str | None = Field(None, pattern=DATE, description="The day (default: the policy set's as-of date)")
    services: list[str] | None = Field(None, description="Service ids (all services in force if omitted)")


class Category(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    payer: str | None
    stated: bool


class Record(BaseModel):
    """One scenario's month, as `osms-eval run --format json` gives it; plus one field per output rule
    (a number, a true/false, or {total, by_employer} for per-employer outputs)."""

    model_config = ConfigDict(extra="allow")
    scenario: str
    month: str
    payer: list[str]
    categories: list[Category]
    insured: bool
    insured_reason: str
    insured_until: str | None
    grace_period_end: str | None
    debt_months: int
    status_on: str
    payments_assumed: bool = Field(
        description="True when the scenario lists no payments: status takes every contribution as paid on time"
    )
    osms_package: bool


class CalculateResponse(Stamped):
    as_of: str
    results: list[Record]


class Node(BaseModel):
    """A node of an explanation: a rule, parameter, fact, category or status, with its value and citation."""

    model_config = ConfigDict(extra="allow")
    kind: str
    label: str
    value: Any
    name: str | None = None
    citation: str | None = None
    children: list[Node] | None = None


class Explanation(BaseModel):
    scenario: str
    month: str
    outputs: list[Node]
    categories: Node
    status: Node


class ExplainResponse(Stamped):
    as_of: str
    results: list[Explanation]


class Covered(BaseModel):
    model_config = ConfigDict(extra="allow")
    service: str
    label: str
    on: str
    covered: bool
    package: str
    explanation: str
    insured: bool
    insured_reason: str
    insured_reason_text: str
    citation: str


class CoverageResponse(Stamped):
    as_of: str
    scenario: str
    results: list[Covered]


class Cited(BaseModel):
    model_config = ConfigDict(extra="allow")
    key: str
    text: str = Field(description="Title, publisher, date and address of the source")


class ParameterValue(BaseModel):
    model_config = ConfigDict(extra="allow")
    from_: str = Field(alias="from")
    value: Any
    no_value: str | None
    citation: str
    sources: list[Cited]
    confidence: Literal["C", "S", "I"]
    assumption: str | None
    note: str | None


class Parameter(BaseModel):
    name: str
    label: str
    unit: str
    file: str | None = None
    values: list[ParameterValue] | None = None
    error: str | None = Field(None, description="No value on the `at` date, and why")


class ParametersResponse(Stamped):
    as_of: str
    at: str | None
    parameters: list[Parameter]


class Version(BaseModel):
    model_config = ConfigDict(extra="allow")
    from_: str = Field(alias="from")
    citation: str
    url: str | None
    sources: list[Cited]
    confidence: str


class CategoryInfo(BaseModel):
    id: str
    label: str
    number: int | None
    versions: list[Version]


class CategoriesResponse(Stamped):
    as_of: str
    categories: list[CategoryInfo]


class ServiceInfo(BaseModel):
    id: str
    label: str
    versions: list[Version]


class ServicesResponse(Stamped):
    as_of: str
    services: list[ServiceInfo]


class Use(BaseModel):
    file: str
    line: int | None
    field: str | None


class SourceInfo(BaseModel):
    model_config = ConfigDict(extra="allow")
    key: str
    title: str
    publisher: str
    kind: str
    address: str | None
    checked: str
    stale: bool = Field(description="The act was amended after the entry was checked")
    used: list[Use]


class SourcesResponse(Stamped):
    as_of: str
    sources: list[SourceInfo]


class Health(BaseModel):
    status: Literal["ok"]


class Ready(Stamped):
    status: Literal["ready"]


class ProblemError(BaseModel):
    field: str = Field(description="Where in the request: scenarios[0].payments[2].amount, month, …")
    message: str = Field(description="The same text the CLI prints for this input")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ProblemError] = []
    policy: Stamp | None = None
    engine: Engine | None = None
