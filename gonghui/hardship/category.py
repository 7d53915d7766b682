"""The category formula (domain.md §2.1), in whole fen with exact comparisons.

深度困难: (家庭年度可支配收入 − 因困支出) ÷ 12 ÷ 共同生活人口 ≤ 低保.
相对困难: the same, also deducting 必要就业成本, ≤ 2 × 低保.
意外致困: neither, but a sudden event, accident or major disease is recorded.

Comparisons multiply out (net ≤ 低保 × 12 × people) so no rounding decides a household's fate;
the per-head figure shown is rounded to the fen for display only.
"""

from __future__ import annotations

from dataclasses import dataclass

from gonghui.lib.money import yuan

DEEP = "deep"
RELATIVE = "relative"
ACCIDENT = "accident"


@dataclass(frozen=True)
class Assessment:
    category: str  # "deep" / "relative" / "accident" / "" (不符合建档条件)
    income_fen: int
    hardship_expense_fen: int
    job_cost_fen: int
    people: int
    standard_fen: int
    deep_net_fen: int  # income − hardship expenses (a year)
    relative_net_fen: int  # the same, less job costs

    @property
    def deep_per_head_fen(self) -> int:
        return _per_head(self.deep_net_fen, self.people)

    @property
    def relative_per_head_fen(self) -> int:
        return _per_head(self.relative_net_fen, self.people)

    @property
    def lines(self) -> list[str]:
        """The arithmetic as a cadre writes it on the 档案表."""
        deep = (
            f"（家庭年度可支配收入 {yuan(self.income_fen)} − 因困支出 {yuan(self.hardship_expense_fen)}）"
            f" ÷ 12 ÷ {self.people}人 = {yuan(self.deep_per_head_fen)}/人·月，"
            f"{'≤' if self.category == DEEP else '>'} 低保 {yuan(self.standard_fen)}"
        )
        relative = (
            f"（家庭年度可支配收入 {yuan(self.income_fen)} − 因困支出 {yuan(self.hardship_expense_fen)}"
            f" − 必要就业成本 {yuan(self.job_cost_fen)}） ÷ 12 ÷ {self.people}人 = {yuan(self.relative_per_head_fen)}/人·月，"
            f"{'≤' if self._relative_ok else '>'} 2 × 低保 {yuan(2 * self.standard_fen)}"
        )
        verdict = {DEEP: "深度困难", RELATIVE: "相对困难", ACCIDENT: "意外致困（有意外事件记录）", "": "不符合建档条件"}[self.category]
        return [deep, relative, f"结论：{verdict}"]

    @property
    def _relative_ok(self) -> bool:
        return self.relative_net_fen <= 2 * self.standard_fen * 12 * self.people


def _per_head(net_fen: int, people: int) -> int:
    # Round half away from zero to the fen; display only.
    q, r = divmod(abs(net_fen), 12 * people)
    q += 2 * r >= 12 * people
    return q if net_fen >= 0 else -q


def assess(*, income_fen: int, hardship_expense_fen: int, job_cost_fen: int, people: int, standard_fen: int, accident: bool) -> Assessment:
    if people < 1:
        raise ValueError("people must be at least 1")
    if standard_fen <= 0:
        raise ValueError("the 低保 standard must be positive")
    deep_net = income_fen - hardship_expense_fen
    relative_net = deep_net - job_cost_fen
    if deep_net <= standard_fen * 12 * people:
        category = DEEP
    elif relative_net <= 2 * standard_fen * 12 * people:
        category = RELATIVE
    elif accident:
        category = ACCIDENT
    else:
        category = ""
    return Assessment(
        category=category,
        income_fen=income_fen,
        hardship_expense_fen=hardship_expense_fen,
        job_cost_fen=job_cost_fen,
        people=people,
        standard_fen=standard_fen,
        deep_net_fen=deep_net,
        relative_net_fen=relative_net,
    )
