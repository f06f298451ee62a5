"""A refused diagram, decision table or form in the administrator's words, chosen by the
refusal's reason code (engine/errors.py, InvalidDefinition) and filled in with its parameters;
never by reading the engine's English message, which stays the words of the log and the CLI."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

import engine

from .extensions import gettext as _

# Text from the file (an expression, a pattern) is cut here: the page is no place for a script.
_LONGEST = 200

# Reason code -> what is wrong and what to fix.
REFUSALS = {
    # Reading the file
    "file_too_large": _l(
        "Tệp có dung lượng %(size_bytes)s byte, vượt mức tối đa %(limit_bytes)s byte cho một "
        "tệp quy trình. Hãy giảm dung lượng tệp (ví dụ bỏ hình ảnh hoặc tài liệu nhúng trong "
        "sơ đồ) rồi tải lên lại."
    ),
    "file_empty": _l("Tệp rỗng, không có nội dung. Hãy chọn đúng tệp sơ đồ đã lưu."),
    "file_not_utf8": _l(
        "Tệp không được lưu theo bảng mã UTF-8; hệ thống chỉ nhận tệp UTF-8. Hãy mở tệp, lưu "
        "lại theo bảng mã UTF-8 rồi tải lên lại."
    ),
    "nul_character": _l(
        "Tệp chứa ký tự NUL (mã 0), không được phép trong tệp quy trình. Hãy xoá ký tự này "
        "(thường lẫn vào khi sao chép từ phần mềm khác) rồi tải lên lại."
    ),
    "xml_unsafe": _l(
        "Tệp có khai báo %(construct)s. Vì lý do an toàn, tệp quy trình không được chứa khai "
        "báo DOCTYPE, ENTITY hay XInclude; hãy xoá phần khai báo đó rồi tải lên lại."
    ),
    "xml_malformed": _l(
        "Tệp không phải XML hợp lệ (%(detail)s). Hãy mở tệp bằng công cụ soạn sơ đồ, lưu lại "
        "rồi tải lên; nếu sửa tay, hãy kiểm tra các thẻ đóng, mở quanh dòng được chỉ ra."
    ),
    "not_bpmn_or_dmn": _l(
        "Tệp không phải sơ đồ BPMN 2.0 hay bảng quyết định DMN: phần tử gốc là <%(root)s>, "
        "không phải <definitions>. Hãy xuất (export) sơ đồ theo định dạng BPMN 2.0 hoặc DMN "
        "rồi tải lên lại."
    ),
    "no_diagram": _l(
        "Trong các tệp tải lên không có sơ đồ BPMN nào. Hãy chọn cả tệp .bpmn cùng với các tệp "
        "bảng quyết định và biểu mẫu của nó."
    ),
    "not_executable": _l(
        'Không có quy trình nào được đánh dấu cho phép chạy (isExecutable="false"). Hãy bật '
        "thuộc tính Executable của quy trình trong công cụ soạn sơ đồ rồi lưu lại."
    ),
    "bpmn_invalid": _l(
        "Sơ đồ không đúng chuẩn BPMN 2.0: %(detail)s. Hãy sửa chỗ được chỉ ra trong công cụ "
        "soạn sơ đồ rồi lưu lại."
    ),
    "process_unreadable": _l(
        "Hệ thống không đọc được quy trình này (%(detail)s). Hãy kiểm tra phần tử được chỉ ra, "
        "hoặc chạy lệnh pheduyet check để xem chi tiết."
    ),
    "id_missing": _l(
        "Một quy trình hoặc một quyết định chưa có mã (id). Hãy đặt mã cho nó trong công cụ "
        "soạn sơ đồ."
    ),
    "id_twice": _l(
        "Mã «%(id)s» được khai báo hai lần. Mỗi quy trình và mỗi quyết định phải có mã riêng; "
        "hãy đổi một trong hai mã."
    ),
    # The diagram's elements
    "flow_end_unknown": _l(
        "Luồng (sequence flow) này nối tới «%(ref)s», không phải phần tử nào của sơ đồ. Hãy nối "
        "lại hai đầu của luồng trong công cụ soạn sơ đồ."
    ),
    "flow_end_missing": _l(
        "Luồng (sequence flow) này chưa có thuộc tính %(end)s, nên không rõ nó nối từ đâu tới "
        "đâu. Hãy nối lại hai đầu của luồng trong công cụ soạn sơ đồ."
    ),
    "call_target_missing": _l(
        "Bước call activity này chưa ghi quy trình cần gọi (calledElement). Hãy ghi mã của quy "
        "trình được gọi."
    ),
    "call_target_unknown": _l(
        "Bước call activity này gọi quy trình «%(process)s», nhưng quy trình đó không có trong "
        "các tệp tải lên và cũng chưa được triển khai. Hãy tải sơ đồ của quy trình đó lên cùng "
        "lúc, hoặc triển khai nó trước."
    ),
    "call_cycle": _l(
        "Quy trình gọi lại chính nó (%(chain)s); một quy trình không được tự gọi mình, trực "
        "tiếp hay qua quy trình khác. Hãy bỏ lời gọi tạo thành vòng."
    ),
    "reference_unknown": _l(
        "Phần tử này gắn với %(kind)s có id «%(ref)s», nhưng trong tệp không có khai báo nào "
        "có id đó (thường do khai báo đã bị xoá trong công cụ soạn sơ đồ). Hãy chọn lại hoặc "
        "khai báo %(kind)s đó rồi lưu lại."
    ),
    "error_boundary_not_interrupting": _l(
        "Sự kiện lỗi (error boundary event) luôn dừng bước mà nó gắn vào; sự kiện này lại được "
        'đánh dấu không dừng (cancelActivity="false"), nên bước sẽ chờ mãi sau khi lỗi đã '
        "được bắt. Hãy bật lại «Interrupting» cho sự kiện trong công cụ soạn sơ đồ."
    ),
    "element_unsupported": _l(
        "Hệ thống chưa chạy được loại phần tử %(element_type)s. Hãy thay bằng các phần tử "
        "được hỗ trợ (ví dụ cổng rẽ nhánh exclusive, parallel hoặc inclusive) rồi lưu lại."
    ),
    "loop_without_gateway": _l(
        "Luồng từ phần tử này quay lại chính nó mà không qua cổng rẽ nhánh (exclusive "
        "gateway) nào, nên hồ sơ không thể khởi tạo. Hãy đặt một cổng rẽ nhánh exclusive vào "
        "vòng lặp."
    ),
    "event_subprocess_nested": _l(
        "Tiến trình con sự kiện (event subprocess) này bắt đầu bằng sự kiện %(event)s nhưng "
        "nằm trong một tiến trình con khác; hệ thống chỉ khởi động loại này ở cấp ngoài cùng "
        "của quy trình. Hãy chuyển nó ra cấp ngoài cùng, hoặc dùng sự kiện biên (boundary "
        "event) gắn vào tiến trình con."
    ),
    "receive_without_message": _l(
        "Bước receive task này không gắn với thông điệp (message) nào nên không có gì chuyển "
        "được nó sang bước sau. Hãy gắn một message cho bước, hoặc đổi thành user task."
    ),
    "compensation_unsupported": _l(
        "Sơ đồ dùng cơ chế bù trừ (compensation: sự kiện bù trừ, hoặc bước đánh dấu để bù trừ), "
        "hệ thống chưa chạy được. Hãy mô hình hoá việc hoàn tác bằng các bước thường, ví dụ một "
        "sự kiện lỗi gắn ở biên (error boundary event) rồi các bước hoàn tác."
    ),
    "cmmn_unsupported": _l(
        "Bước call activity này gọi một case CMMN (camunda:caseRef «%(case)s»); hệ thống chỉ "
        "chạy quy trình BPMN, không chạy CMMN. Hãy gọi một quy trình BPMN (calledElement)."
    ),
    "message_event_implemented": _l(
        "Sự kiện gửi thông điệp (message event) này được cài như một service task (camunda:class, "
        "biểu thức hoặc external topic), nên trong Camunda 7 nó chạy phần cài đặt đó thay vì gửi "
        "thông điệp. Hãy đổi nó thành send task với cùng phần cài đặt; send task gọi hàm xử lý "
        "khai báo trong PHEDUYET_SERVICES."
    ),
    "data_store": _l(
        "Sơ đồ dùng kho dữ liệu (data store) «%(store)s» của SpiffArena, hệ thống này không có. "
        "Hãy lưu dữ liệu trong biến của hồ sơ, hoặc đọc dữ liệu qua một service task."
    ),
    "timer_bounds": _l(
        "Bộ hẹn giờ «%(timer)s» vượt giới hạn cho phép (%(detail)s). Hãy sửa lại thời điểm "
        "hoặc khoảng thời gian hẹn giờ."
    ),
    "timer_start_expression": _l(
        "Sự kiện bắt đầu theo hẹn giờ lấy thời điểm từ một biểu thức, nhưng khi quy trình tự khởi "
        "tạo thì chưa có hồ sơ nào để đọc biến. Hãy ghi thẳng thời điểm vào sơ đồ: một ngày giờ, "
        "một khoảng thời gian, một chu kỳ ISO 8601 (R/P7D) hoặc một biểu thức cron."
    ),
    "timer_start_needs_deployer": _l(
        "Quy trình có sự kiện bắt đầu theo hẹn giờ tự khởi tạo hồ sơ đứng tên người triển khai, "
        "nên cần biết ai triển khai. Hãy triển khai bằng pheduyet deploy --as TÊN_ĐĂNG_NHẬP, "
        "hoặc tại Quản trị › Quy trình."
    ),
    "form_day_rule": _l(
        "Quy tắc ngày «%(rule)s» tại %(at)s của biểu mẫu ghi một giá trị hệ thống không hiểu. "
        'Hãy ghi "today" (hôm nay) hoặc, với x-not-before, "started" (ngày lập hồ sơ).'
    ),
    "timer_start_never": _l(
        "Thời điểm hẹn giờ «%(timer)s» của sự kiện bắt đầu không còn lần nào để khởi tạo hồ "
        "sơ. Hãy sửa lại thời điểm hoặc chu kỳ."
    ),
    "due_date_bounds": _l(
        "Hạn xử lý «%(due_date)s» không hợp lệ hoặc vượt giới hạn cho phép (%(detail)s). Hãy "
        "sửa lại hạn xử lý."
    ),
    "loop_bounds": _l(
        "Số lần lặp của bước là %(value)s, vượt mức tối đa %(limit)s lần. Hãy giảm số lần lặp "
        "(loop cardinality, loop maximum)."
    ),
    "owner_expression": _l(
        "Biểu thức chỉ định người hoặc nhóm xử lý «%(expression)s» không hợp lệ (%(detail)s). "
        "Hãy sửa lại biểu thức."
    ),
    "form_missing": _l(
        "Bước này dùng biểu mẫu «%(form)s», nhưng biểu mẫu đó không có trong các tệp tải lên. "
        "Hãy tải tệp biểu mẫu lên cùng lúc với sơ đồ."
    ),
    # Services, listeners, parameters
    "service_unmapped": _l(
        "Bước này là service task gọi dịch vụ «%(key)s», nhưng dịch vụ này chưa được khai báo "
        "trong mô-đun dịch vụ (PHEDUYET_SERVICES). Hãy khai báo dịch vụ đó (gắn với một hàm, "
        "hoặc với None nếu chỉ cần ghi nhận), hoặc đổi bước thành user task."
    ),
    "listener_unmapped": _l(
        "Listener gọi «%(key)s», nhưng khoá này chưa được khai báo trong mô-đun dịch vụ "
        "(PHEDUYET_SERVICES). Hãy khai báo «%(key)s» trong mô-đun dịch vụ, gắn với một hàm, "
        "hoặc với None để bỏ qua."
    ),
    "listener_unsupported": _l(
        "Listener gắn với sự kiện «%(event)s» không chạy được ở đây; loại listener này chỉ "
        "chạy với các sự kiện: %(allowed)s. Hãy đổi sự kiện của listener."
    ),
    "listener_twin_flows": _l(
        "Có hai luồng (sequence flow) nối cùng hai phần tử và một luồng có listener, nên hệ "
        "thống không phân biệt được luồng nào đã đi qua. Hãy đặt thêm một phần tử vào giữa "
        "một trong hai luồng."
    ),
    "parameter_no_name": _l(
        "Một tham số (field, input/output parameter hoặc ánh xạ camunda:in/out) chưa có tên. "
        "Hãy đặt tên cho tham số đó."
    ),
    "parameter_unsupported": _l(
        "Tham số «%(parameter)s» có giá trị kiểu %(kind)s, hệ thống không chạy được ở đây. Hãy "
        "dùng văn bản hoặc biểu thức ${...}, hoặc tính giá trị ở một script task đặt trước."
    ),
    "mapping_incomplete": _l(
        "Một ánh xạ dữ liệu camunda:in/out thiếu thông tin: cần có biến đích (target) và nguồn "
        '(source hoặc sourceExpression), hoặc variables="all". Hãy bổ sung cho đủ.'
    ),
    # Scripts and expressions
    "script_syntax": _l(
        "Mã lệnh (%(language)s) có lỗi cú pháp: %(detail)s. Hãy sửa mã lệnh ở dòng được chỉ ra."
    ),
    "script_refused": _l(
        "Mã lệnh hoặc điều kiện dùng thao tác không được phép: %(detail)s. Hãy bỏ thao tác đó "
        "(ví dụ import, hoặc truy cập thuộc tính bắt đầu bằng __) rồi tải lên lại."
    ),
    "script_language": _l(
        "Mã lệnh viết bằng ngôn ngữ «%(language)s», không chạy được ở chỗ này. Hãy viết lại "
        "bằng: %(allowed)s."
    ),
    "script_resource": _l(
        "Mã lệnh nằm ở tệp ngoài «%(resource)s», nhưng đó không phải tệp JavaScript được tải "
        "lên cùng sơ đồ. Hãy tải tệp .js đó lên cùng sơ đồ, hoặc viết mã lệnh ngay trong sơ đồ."
    ),
    "spiff_arena_function": _l(
        "Mã lệnh gọi hàm %(function)s(), là hàm riêng của SpiffArena và không có ở hệ thống "
        "này. Hãy bỏ lời gọi hàm đó khỏi mã lệnh."
    ),
    "juel_refused": _l(
        "Biểu thức «%(expression)s» không hợp lệ hoặc dùng cú pháp JUEL mà hệ thống không hỗ "
        "trợ (%(detail)s). Hãy sửa lại biểu thức."
    ),
    # Decision tables (DMN)
    "decision_not_named": _l(
        "Bước business rule task này chưa chỉ ra quyết định (DMN) cần áp dụng. Hãy chọn quyết "
        "định cho bước (mục calledDecisionId trong SpiffArena)."
    ),
    "decision_not_deployed": _l(
        "Quyết định «%(decision)s» không có trong các tệp DMN được tải lên. Hãy tải tệp .dmn "
        "khai báo quyết định này lên cùng lúc với sơ đồ."
    ),
    "decision_cycle": _l(
        "Các quyết định yêu cầu lẫn nhau thành vòng (một quyết định cần kết quả của chính nó, "
        "trực tiếp hoặc qua quyết định khác). Hãy bỏ một yêu cầu (information requirement) để "
        "cắt vòng."
    ),
    "decision_empty": _l(
        "Quyết định này không có bảng quyết định hay biểu thức (literal expression) nào. Hãy bổ "
        "sung nội dung cho quyết định."
    ),
    "decision_language": _l(
        "Bảng quyết định dùng ngôn ngữ biểu thức «%(language)s», hệ thống không hỗ trợ. Hãy "
        "viết biểu thức bằng FEEL, JUEL hoặc Python."
    ),
    "decision_expression": _l(
        "Biểu thức «%(expression)s» trong bảng quyết định không hợp lệ hoặc dùng cú pháp mà hệ "
        "thống không hỗ trợ (%(detail)s). Hãy sửa lại ô đó theo FEEL, JUEL hoặc Python."
    ),
    "decision_hit_policy": _l(
        "Bảng quyết định dùng hit policy «%(hit_policy)s», hệ thống không hỗ trợ. Hãy dùng một "
        "trong: %(allowed)s."
    ),
    "decision_aggregation": _l(
        "Cách gộp kết quả (aggregation) «%(aggregation)s» không dùng được ở bảng này: chỉ dùng "
        "với hit policy COLLECT, ở bảng có đúng một cột kết quả, và là một trong: %(allowed)s."
    ),
    "decision_no_output": _l(
        "Bảng quyết định chưa có cột kết quả (output) nào. Hãy thêm ít nhất một cột kết quả."
    ),
    "decision_output_name": _l(
        "Bảng quyết định có nhiều cột kết quả nhưng một cột chưa có tên. Hãy đặt tên (name) cho "
        "từng cột kết quả."
    ),
    "decision_too_large": _l(
        "Bảng quyết định quá lớn: tối đa %(columns_limit)s cột điều kiện và kết quả, "
        "%(rules_limit)s dòng quy tắc. Hãy chia thành nhiều bảng nhỏ hơn."
    ),
    "decision_rule_shape": _l(
        "Dòng quy tắc này có %(rule_inputs)s ô điều kiện và %(rule_outputs)s ô kết quả, trong "
        "khi bảng có %(inputs)s cột điều kiện và %(outputs)s cột kết quả. Hãy điền đúng số ô."
    ),
    # Forms
    "json_malformed": _l(
        "Tệp biểu mẫu không phải JSON hợp lệ (%(detail)s). Hãy sửa lỗi quanh dòng được chỉ ra "
        "(thường là thiếu dấu phẩy, dấu ngoặc hoặc dấu nháy) rồi tải lên lại."
    ),
    "json_too_deep": _l(
        "Tệp biểu mẫu lồng nhau quá nhiều cấp nên không đọc được. Hãy giảm số cấp lồng nhau."
    ),
    "form_schema_invalid": _l(
        "Tệp biểu mẫu không phải JSON Schema hợp lệ (%(detail)s). Hãy sửa biểu mẫu."
    ),
    "form_too_many_fields": _l(
        "Biểu mẫu có quá nhiều trường (tối đa %(limit)s). Hãy tách biểu mẫu cho nhiều bước."
    ),
    "form_field_name": _l(
        "Trường «%(field)s» của biểu mẫu không có tên biến hợp lệ. Tên biến chỉ gồm chữ cái "
        "không dấu, chữ số và dấu gạch dưới, không bắt đầu bằng chữ số hay dấu gạch dưới (ví "
        "dụ: ten_de_tai)."
    ),
    "form_field_type": _l(
        "Trường «%(field)s» của biểu mẫu có kiểu «%(type)s», hệ thống không hỗ trợ. Hãy dùng "
        "một trong các kiểu: %(supported)s."
    ),
    "form_constraint_unsupported": _l(
        "Trường «%(field)s» của biểu mẫu có ràng buộc «%(constraint)s» mà hệ thống không kiểm "
        "tra (như validator, chạy một lớp Java trong Camunda). Hãy kiểm tra giá trị sau bước "
        "này (bằng cổng rẽ nhánh hoặc tác vụ kịch bản), hoặc chỉ dùng các ràng buộc required, "
        "readonly, min, max, minlength, maxlength."
    ),
    "event_subprocess_conditional": _l(
        "Quy trình con sự kiện bắt đầu theo một điều kiện; hệ thống không theo dõi điều kiện "
        "này nên nó sẽ không bao giờ chạy. Hãy bắt đầu bằng thông điệp (message) hoặc tín hiệu "
        "(signal), hoặc kiểm tra điều kiện bằng cổng rẽ nhánh sau bước đặt giá trị."
    ),
    "link_unmatched": _l(
        "Sự kiện liên kết (link) «%(name)s» không có sự kiện nhận cùng tên trong cùng quy trình "
        "hoặc quy trình con. Hãy thêm sự kiện nhận hoặc sửa tên cho khớp."
    ),
    "link_catch_twice": _l(
        "Hai sự kiện nhận liên kết (link) trong cùng quy trình hoặc quy trình con cùng tên "
        "«%(name)s». Mỗi tên chỉ được có một sự kiện nhận."
    ),
    "form_option_type": _l(
        "Lựa chọn «%(value)s» của trường «%(field)s» không đúng kiểu của biến "
        "(cam-variable-type) nên không ai chọn được. Hãy sửa giá trị của lựa chọn."
    ),
    "form_options_missing": _l(
        "Trường lựa chọn «%(field)s» của biểu mẫu không liệt kê sẵn giá trị nào; hệ thống không "
        "lấy danh sách lựa chọn từ biến (valuesKey). Hãy nhập sẵn các lựa chọn trong biểu mẫu."
    ),
    "camunda_form_invalid": _l(
        'Tệp không phải biểu mẫu Camunda hợp lệ: thành phần gốc phải có "type": "default". Hãy '
        "lưu lại biểu mẫu bằng Camunda Modeler."
    ),
    "camunda_form_version": _l(
        "Biểu mẫu Camunda ghi schemaVersion là %(version)s; giá trị này phải là số nguyên không "
        "âm. Hãy lưu lại biểu mẫu bằng Camunda Modeler."
    ),
    "form_pattern_unsafe": _l(
        "Biểu thức chính quy «%(pattern)s» tại %(at)s của biểu mẫu có thể làm máy chủ xử lý rất "
        "lâu (%(detail)s). Hãy viết lại biểu thức đơn giản hơn."
    ),
    "form_too_many_references": _l(
        "Biểu mẫu có quá nhiều tham chiếu $ref (tối đa %(limit)s). Hãy giảm số tham chiếu."
    ),
    "form_reference_missing": _l(
        "Tham chiếu «%(reference)s» tại %(at)s không trỏ tới phần nào của biểu mẫu. Hãy sửa lại "
        "tham chiếu."
    ),
    "form_reference_cycle": _l(
        "Tham chiếu «%(reference)s» tại %(at)s dẫn ngược về chính nó (biểu mẫu không thể chứa "
        "chính mình). Hãy bỏ vòng tham chiếu."
    ),
    "form_reference_outside": _l(
        "Biểu mẫu tham chiếu tới «%(reference)s», nằm ngoài biểu mẫu; chỉ được tham chiếu tới "
        "phần bên trong, bắt đầu bằng #. Hãy chép phần cần dùng vào biểu mẫu."
    ),
    "register_marker": _l(
        "Trường «%(field)s» của biểu mẫu có đánh dấu %(marker)s không hợp lệ: giá trị phải là "
        "mã sổ (tối đa 40 ký tự, không có dấu cách hay dấu /) hoặc {key, suffix}, và trường "
        "phải ở chế độ chỉ đọc (readOnly)."
    ),
    "option_source": _l(
        "Trường «%(field)s» của biểu mẫu có đánh dấu %(marker)s không hợp lệ; chỉ dùng được "
        "một trong: %(allowed)s."
    ),
}


# A refused script's kind of refusal (the engine's `refused`, engine.sandbox_errors), in the
# page's language; another is said in the checker's own words.
_SCRIPT_REFUSALS = {
    "import": _l("không được dùng import"),
    "class": _l("không được định nghĩa lớp (class)"),
    "underscore_name": _l("tên «%(name)s» bắt đầu bằng dấu gạch dưới, không được dùng"),
    "unavailable_function": _l("không được dùng hàm %(name)s()"),
    "generator": _l("không được dùng yield: hãy tạo một danh sách"),
}


def _script_detail(details: dict[str, Any]) -> Any:
    """A refused script's detail in the page's language, by its kind of refusal."""
    words = _SCRIPT_REFUSALS.get(str(details.get("refused")))
    if words is None:
        return details.get("detail")
    return str(words) % {"name": details.get("name", "")}


def refusal_words(error: engine.InvalidDefinition) -> str:
    """What is wrong with the file and what to fix, in the page's language; the engine's
    English words when the refusal has no entry here (or lacks a parameter its entry names)."""
    details = dict(error.details)
    if details.get("reason") == "script_refused":
        details["detail"] = _script_detail(details)
    words = REFUSALS.get(str(details.get("reason")))
    if words is None:
        return error.reason
    try:
        return str(words) % {key: _shown(value) for key, value in details.items()}
    except (KeyError, ValueError, TypeError):  # a parameter missing, or a catalogue's slip
        return error.reason


def refusal_place(error: engine.InvalidDefinition) -> str:
    """Where the refusal is: the file, the element and the line it names."""
    details = error.details
    where = [
        _("tệp %(file)s", file=details["file"]) if details.get("file") else None,
        _("phần tử %(id)s", id=details["element_id"]) if details.get("element_id") else None,
        _("dòng %(line)s", line=details["line"]) if details.get("line") else None,
    ]
    return ", ".join(w for w in where if w)


def _shown(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return engine.number_vn(value)
    text = str(value)
    return text if len(text) <= _LONGEST else text[:_LONGEST] + "…"
