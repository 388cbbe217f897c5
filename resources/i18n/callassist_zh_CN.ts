<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="zh_CN">
<context>
    <name>AlertCard</name>
    <message>
        <location filename="../../app/widgets/alert_card.py" line="50"/>
        <source>知道了</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/alert_card.py" line="51"/>
        <source>关闭此提醒（会记录在通话记录中）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/alert_card.py" line="87"/>
        <source>建议改说：{advice}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/alert_card.py" line="93"/>
        <source>依据：{basis}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/alert_card.py" line="128"/>
        <source>（识别中，待确认）</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AssistColumn</name>
    <message>
        <location filename="../../app/widgets/assist_column.py" line="36"/>
        <source>客户异议</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/assist_column.py" line="37"/>
        <source>必备要素</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/assist_column.py" line="38"/>
        <source>话术库</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/assist_column.py" line="42"/>
        <source>客户异议 · 必备要素 · 话术库 ▾</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/assist_column.py" line="45"/>
        <source>告警期间已收起，点击展开（数字键仍可选客户异议）</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AudioPlayer</name>
    <message>
        <location filename="../../app/widgets/audio_player.py" line="32"/>
        <location filename="../../app/widgets/audio_player.py" line="131"/>
        <location filename="../../app/widgets/audio_player.py" line="139"/>
        <source>▶ 播放录音</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/audio_player.py" line="48"/>
        <source>未保存录音</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/audio_player.py" line="55"/>
        <source>这通电话没有保存录音（设置 → 保留通话录音）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/audio_player.py" line="57"/>
        <source>录音已按保留天数删除（{when}）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/audio_player.py" line="68"/>
        <source>正在读取录音…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/audio_player.py" line="71"/>
        <source>无法读取录音：{m}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/audio_player.py" line="124"/>
        <source>暂停</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CallControls</name>
    <message>
        <location filename="../../app/widgets/call_controls.py" line="19"/>
        <source>静音</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_controls.py" line="21"/>
        <source>静音期间的声音不识别，计时继续</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_controls.py" line="24"/>
        <source>置顶</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_controls.py" line="25"/>
        <source>记录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_controls.py" line="26"/>
        <source>设置</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_controls.py" line="37"/>
        <source>开始通话</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_controls.py" line="38"/>
        <source>结束通话</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_controls.py" line="40"/>
        <source>开始或结束通话（F9）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_controls.py" line="37"/>
        <source>正在开始…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_controls.py" line="38"/>
        <source>正在结束…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CallFilters</name>
    <message>
        <location filename="../../app/widgets/call_filters.py" line="20"/>
        <source>从</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_filters.py" line="22"/>
        <source>到</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_filters.py" line="28"/>
        <source>坐席工号或姓名</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_filters.py" line="30"/>
        <source>全部违规类型</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_filters.py" line="34"/>
        <source>承诺：不限</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_filters.py" line="35"/>
        <source>有还款承诺</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_filters.py" line="36"/>
        <source>无还款承诺</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_filters.py" line="38"/>
        <source>全文搜索通话内容，如“分期”“工号”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_filters.py" line="40"/>
        <source>显示测试和空通话</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_filters.py" line="41"/>
        <source>用录音测试的通话、标为测试的通话和没有识别到内容的通话；导出时总是不含</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_filters.py" line="42"/>
        <source>查询</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_filters.py" line="47"/>
        <source>坐席</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CallSetup</name>
    <message>
        <location filename="../../app/widgets/call_setup.py" line="36"/>
        <source>麦克风</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_setup.py" line="42"/>
        <source>刷新</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_setup.py" line="43"/>
        <source>重新查找麦克风（插拔耳机后使用）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_setup.py" line="50"/>
        <source>用录音测试…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_setup.py" line="51"/>
        <source>用一段录音文件代替麦克风，演示或培训时使用</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_setup.py" line="87"/>
        <source>（未检测到麦克风）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_setup.py" line="88"/>
        <source>未检测到麦克风：请插好耳机后点“刷新”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/call_setup.py" line="154"/>
        <source>选择录音文件</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CaseForm</name>
    <message>
        <location filename="../../app/widgets/case_form.py" line="43"/>
        <source>所属机构</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/case_form.py" line="48"/>
        <source>欠款的银行/平台</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/case_form.py" line="49"/>
        <source>欠款所属的银行或平台，如“华信银行”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/case_form.py" line="50"/>
        <source>您的公司</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/case_form.py" line="51"/>
        <source>您自己所在的公司：开场时报这个名字</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/case_form.py" line="55"/>
        <source>粘贴案件信息…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/case_form.py" line="56"/>
        <source>粘贴 JSON 或“姓名：张三”格式的文本</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/case_form.py" line="58"/>
        <source>清空</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/case_form.py" line="73"/>
        <source>欠款金额</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/case_form.py" line="73"/>
        <source>逾期天数</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/case_form.py" line="108"/>
        <source>已读取案件信息；没有用上的项：{items}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/case_form.py" line="114"/>
        <source>粘贴案件信息</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/case_form.py" line="116"/>
        <source>粘贴 JSON，或每行一项，例如“姓名：张三”、“金额：3680元”、“逾期天数：45”：</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChecklistView</name>
    <message>
        <location filename="../../app/widgets/checklist_view.py" line="53"/>
        <source>必备要素已全部完成</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DeviceRecoveryPanel</name>
    <message>
        <location filename="../../app/widgets/device_recovery_panel.py" line="25"/>
        <source>麦克风已断开：通话仍在继续，已转写的内容都在。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/device_recovery_panel.py" line="37"/>
        <source>刷新</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/device_recovery_panel.py" line="38"/>
        <source>重新查找麦克风</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/device_recovery_panel.py" line="41"/>
        <source>继续</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/device_recovery_panel.py" line="42"/>
        <source>用选中的麦克风继续本次通话的识别</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/device_recovery_panel.py" line="53"/>
        <source>请重新插好耳机，或选择其他麦克风后点“继续”。同一耳机插回后会自动继续。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/device_recovery_panel.py" line="70"/>
        <source>（未检测到麦克风）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/device_recovery_panel.py" line="77"/>
        <source>正在切换到：{name}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/device_recovery_panel.py" line="77"/>
        <source>系统默认麦克风</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/device_recovery_panel.py" line="85"/>
        <source>未能继续：{message}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HealthIndicator</name>
    <message>
        <location filename="../../app/widgets/health_indicator.py" line="37"/>
        <source>● 识别空闲</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/health_indicator.py" line="38"/>
        <source>语音识别状态</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LevelMeter</name>
    <message>
        <location filename="../../app/widgets/level_meter.py" line="20"/>
        <source>麦克风音量</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LibrarySearch</name>
    <message>
        <location filename="../../app/widgets/library_search.py" line="24"/>
        <source>搜索话术库，如“分期”“工号”“gh”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/library_search.py" line="34"/>
        <source>双击一条话术即可复制</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/library_search.py" line="48"/>
        <source>话术库尚未加载</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/library_search.py" line="61"/>
        <source>没有找到匹配的话术</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/library_search.py" line="66"/>
        <source>已复制</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LiveWindow</name>
    <message>
        <location filename="../../app/live_window.py" line="385"/>
        <source>对方声音来源不可用：{message}。本次通话只识别坐席一方。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="63"/>
        <source>催收通话助手</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="262"/>
        <source>通话中</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="262"/>
        <source>已静音 — 识别暂停</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="265"/>
        <source>正在加载模型…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="267"/>
        <source>未找到识别模型：请运行 callassist model fetch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="269"/>
        <source>未检测到麦克风（可先用“用录音测试…”）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="271"/>
        <source>就绪</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="296"/>
        <source>麦克风出现问题：{message}（通话继续，已识别的内容都已保存）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="301"/>
        <source>已切换到麦克风：{name}，通话继续识别。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="309"/>
        <source>通话记录暂未写入：{message}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="325"/>
        <source>不在允许的催收时段</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="326"/>
        <source>现在是 {now}，不在允许的催收时段（{start}–{end}）内。
此时拨打催收电话违反规定，并会被记录为“非允许时段催收”。

仍要开始吗？</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="411"/>
        <source>无法开始通话</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="411"/>
        <source>通话出错</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="415"/>
        <source>无</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="417"/>
        <source>通话已结束：时长 {duration}，告警 {alerts} 条（{rules}）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="420"/>
        <source>；电脑太忙，{seconds} 秒语音未识别</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="522"/>
        <source>通话进行中</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py" line="522"/>
        <source>通话还在进行，确定结束通话并退出吗？</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/live_window.py"/>
        <source>录音文件有问题：{warning}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PromiseCard</name>
    <message>
        <location filename="../../app/widgets/promise_card.py" line="41"/>
        <source>确认</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/promise_card.py" line="42"/>
        <source>已与客户核对金额、日期和渠道</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/promise_card.py" line="43"/>
        <location filename="../../app/widgets/promise_card.py" line="165"/>
        <source>修改</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/promise_card.py" line="44"/>
        <source>改成客户实际承诺的金额、日期和渠道</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/promise_card.py" line="61"/>
        <source> 元</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/promise_card.py" line="62"/>
        <source>金额未定</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/promise_card.py" line="67"/>
        <source>渠道未定</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/promise_card.py" line="70"/>
        <source>保存</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/promise_card.py" line="71"/>
        <source>取消</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/promise_card.py" line="149"/>
        <source>还款承诺：无</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/promise_card.py" line="157"/>
        <source>已确认 ✓</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/promise_card.py" line="157"/>
        <source>待确认</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/promise_card.py" line="165"/>
        <source>填写</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReviewWindow</name>
    <message>
        <location filename="../../app/review_window.py" line="67"/>
        <source>通话记录 — 催收通话助手</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="103"/>
        <source>备注</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="106"/>
        <source>给这通电话写备注（质检意见、后续跟进…）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="109"/>
        <source>保存备注</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="110"/>
        <location filename="../../app/review_window.py" line="309"/>
        <source>标为测试</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="111"/>
        <source>测试通话不出现在列表（除非勾选“显示测试和空通话”）和催收记录表里</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="112"/>
        <source>删除…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="113"/>
        <source>只能删除测试通话和空通话；会留下删除记录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="126"/>
        <source>导出催收记录表 CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="127"/>
        <source>导出 JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="128"/>
        <source>重新分析录音…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="188"/>
        <source>无</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="252"/>
        <source>&lt;p&gt;这通电话的记录不存在。&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="309"/>
        <source>标为真实通话</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="321"/>
        <source>已标为测试</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="321"/>
        <source>已标为真实通话</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="327"/>
        <source>删除通话</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="328"/>
        <source>删除后这通电话的内容无法恢复，只留下一条删除记录（时间、坐席、债务人、告警、原因）。
删除原因：</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="329"/>
        <location filename="../../app/review_window.py" line="331"/>
        <source>测试通话</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="338"/>
        <source>已删除（删除记录已保存）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="371"/>
        <source>导出催收记录表</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="381"/>
        <source>正在导出…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="388"/>
        <source>选择要重新分析的录音</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py" line="420"/>
        <source>无法分析录音</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py"/>
        <source>警告：{warning}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/review_window.py"/>
        <source>录音文件不完整</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../app/settings_dialog.py" line="39"/>
        <source>对方声音来源</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="21"/>
        <source>设置</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="28"/>
        <source>系统默认麦克风</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="36"/>
        <source>麦克风</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="39"/>
        <source>识别模型目录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="47"/>
        <source>至</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="50"/>
        <source>允许拨打时段</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="52"/>
        <source>严重违规时发出提示音</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="54"/>
        <source>提醒声音</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="58"/>
        <source>提示音在耳机里的音量</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="61"/>
        <source>提示音音量</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="65"/>
        <source> 像素</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="66"/>
        <source>字号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="67"/>
        <source>高对比度（黑底白字）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="69"/>
        <source>显示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="70"/>
        <source>窗口始终置顶</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="74"/>
        <source>保留通话录音</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="79"/>
        <source> 天</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="82"/>
        <source>保留</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="85"/>
        <source>录音</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="88"/>
        <source>通话记录数据库</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="92"/>
        <source>数据位置</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="101"/>
        <source>保存</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="102"/>
        <source>取消</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="112"/>
        <source>浏览…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/settings_dialog.py" line="147"/>
        <source>请填写通话记录数据库的位置</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SuggestionLine</name>
    <message>
        <location filename="../../app/widgets/suggestion_line.py" line="33"/>
        <source>复制</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/suggestion_line.py" line="34"/>
        <source>复制到剪贴板</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/suggestion_line.py" line="36"/>
        <location filename="../../app/widgets/suggestion_line.py" line="74"/>
        <source>已用</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/suggestion_line.py" line="37"/>
        <source>标记为已使用（记入通话记录）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/suggestion_line.py" line="40"/>
        <source>取消固定</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/suggestion_line.py" line="40"/>
        <source>固定</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/suggestion_line.py" line="41"/>
        <source>不再固定这句（F8）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/suggestion_line.py" line="42"/>
        <source>把这句固定在最上面，直到说出它（F8 固定首条建议）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/suggestion_line.py" line="87"/>
        <source>✓ 已用</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SuggestionPanel</name>
    <message>
        <location filename="../../app/widgets/suggestion_panel.py" line="44"/>
        <location filename="../../app/widgets/suggestion_panel.py" line="145"/>
        <source>建议话术</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/suggestion_panel.py" line="47"/>
        <source>通话开始后，这里会给出下一句建议。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/suggestion_panel.py" line="51"/>
        <source>★ 已固定</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/suggestion_panel.py" line="99"/>
        <source>更多建议（{n}）▾</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/suggestion_panel.py" line="99"/>
        <source>收起 ▴</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DebtorSourcePicker</name>
    <message>
        <location filename="../../app/widgets/debtor_source.py" line="125"/>
        <source>对方声音来源无法打开：{message}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/debtor_source.py" line="85"/>
        <source>上次选择的对方声音来源现在找不到：{name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/debtor_source.py" line="83"/>
        <source>{name}（未连接）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/debtor_source.py" line="45"/>
        <source>对方声音音量</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/debtor_source.py" line="38"/>
        <source>无（只识别坐席）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/widgets/debtor_source.py" line="37"/>
        <source>对方（债务人）的声音从哪里来：软电话播放到的耳机输出的监听，或接电话线路的第二个输入设备</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
