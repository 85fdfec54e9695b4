"""Reference data seeded by migration: the ten 분과 and the twelve 첨단전략산업 (SPEC §1, §5)."""

from portal.core.vocabulary import JO

SUB_ALLIANCES = [
    # code, 한국어, English, surveyed investment demand (won)
    ("ai_factory", "AI 팩토리", "AI Factory", 13 * JO // 10),
    ("ai_manufacturing_service", "AI 제조서비스", "AI Manufacturing Services", 0),
    ("ai_logistics", "AI 유통·물류", "AI Distribution & Logistics", 0),
    ("autonomous_vehicle", "자율주행차", "Autonomous Vehicles", 0),
    ("humanoid", "휴머노이드", "Humanoids", 66 * JO // 10),
    ("autonomous_ship", "자율운항선박", "Autonomous Ships", 0),
    ("ai_appliance", "AI 가전", "AI Home Appliances", 0),
    ("ai_defense", "AI 방산", "AI Defense", 0),
    ("ai_bio", "AI 바이오", "AI Bio", 0),
    ("ai_semiconductor", "AI 반도체", "AI Semiconductors", 15 * JO // 10),
]


# Model permissions each role's group holds (app_label.codename); applied after every migrate.
# None: the portal decides who may do what in each app's permissions module, by role and
# organisation; Django's model permissions only open the admin, whose users are staff.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    "applicant": [],
    "alliance_secretariat": [],
    "fund_secretariat": [],
    "site_editor": [],
}
