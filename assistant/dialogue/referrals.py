"""What the assistant says about matters that are not one-stop procedures, and what the citizen can do instead.

Why its own module: these are facts a citizen acts on (which court, which body, what the law forbids), kept
together with the source each was checked against, apart from the code that lays replies out.
"""

from __future__ import annotations

# Who handles matters that are not administrative procedures at a one-stop.
REFERRAL_TEXT: dict[str, str] = {
    "divorce": "Ly hôn không phải thủ tục hành chính ở bộ phận một cửa: từ 1/7/2025 đơn ly hôn nộp tại Tòa án "
               "nhân dân khu vực (đơn phương: nơi người kia cư trú; thuận tình: nơi vợ hoặc chồng cư trú). "
               "Chỉ khi đã ly hôn ở nước ngoài thì mới làm thủ tục ghi chú ly hôn ở xã, phường.",
    "visa": "Thị thực (visa) đi nước khác do đại sứ quán hoặc lãnh sự quán của nước đó cấp, không làm ở xã, phường. "
            "Người nước ngoài ở Việt Nam cần gia hạn thị thực thì liên hệ cơ quan quản lý xuất nhập cảnh "
            "(Công an tỉnh hoặc Cục Quản lý xuất nhập cảnh).",
    "crime": "Tố giác, trình báo tội phạm hay mất trộm không phải thủ tục hành chính: bạn báo ngay cho Công an xã, "
             "phường nơi xảy ra việc (hoặc gọi 113 khi khẩn cấp); công an sẽ tiếp nhận và giải quyết.",
    "lawsuit": "Tranh chấp và khởi kiện do Tòa án nhân dân giải quyết; riêng tranh chấp đất đai phải hòa giải "
               "ở Ủy ban nhân dân xã, phường trước khi khởi kiện.",
    # Luật Nuôi con nuôi 2010, Điều 13 khoản 6 (checked 2026-12-04 on the Bến Tre justice department's page,
    # sotuphap.bentre.gov.vn); grandparents and elder siblings are natural guardians (Bộ luật Dân sự 2015, Điều 52).
    "kin-adoption": "Luật Nuôi con nuôi (Điều 13) cấm ông, bà nhận cháu làm con nuôi và anh, chị, em nhận nhau làm "
                    "con nuôi, nên việc này không đăng ký được (cô, cậu, dì, chú, bác ruột thì được nhận cháu). "
                    "Nếu cháu hoặc em chưa thành niên không còn cha mẹ chăm sóc, ông bà, anh chị có thể làm người giám "
                    "hộ: đăng ký giám hộ ở Ủy ban nhân dân xã, phường.",
    "other": "Việc này không phải thủ tục hành chính ở bộ phận một cửa.",
}
# A procedure of ours the citizen can do instead of what the referral says cannot be done here.
REFERRAL_INSTEAD: dict[str, str] = {"kin-adoption": "guardianship-registration"}
