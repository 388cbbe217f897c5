"""SettingsDialog: microphone, 对方声音来源 (the debtor side, with its level meter), model directory, allowed call
hours, alert sound, font size, contrast, audio retention, data locations. Edits an AppPrefs; the caller saves it
(AppServices.update_prefs)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from assist import paths

from .settings import FONT_MAX, FONT_MIN, AppPrefs
from .widgets.debtor_source import DebtorSourcePicker


class SettingsDialog(QDialog):
    def __init__(self, prefs: AppPrefs, parent: QWidget | None = None, *, devices: list[str] | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("设置"))
        self.prefs = prefs
        layout = QVBoxLayout(self)
        form = QFormLayout()

        self.device = QComboBox()
        self.device.setEditable(True)
        self.device.addItem(self.tr("系统默认麦克风"), "")
        for name in devices or []:
            self.device.addItem(name, name)
        i = self.device.findData(prefs.input_device)
        if i >= 0:
            self.device.setCurrentIndex(i)
        elif prefs.input_device:
            self.device.setEditText(prefs.input_device)
        form.addRow(self.tr("麦克风"), self.device)
        self.debtor_source = DebtorSourcePicker(prefs.debtor_source, agent_device=prefs.input_device)
        form.addRow(self.tr("对方声音来源"), self.debtor_source)

        self.model_dir = QLineEdit(prefs.model_dir)
        form.addRow(self.tr("识别模型目录"), self._with_browse(self.model_dir, directory=True))

        hours = QHBoxLayout()
        self.call_start = QTimeEdit(QTime.fromString(prefs.call_start, "HH:mm"))
        self.call_end = QTimeEdit(QTime.fromString(prefs.call_end, "HH:mm"))
        for w in (self.call_start, self.call_end):
            w.setDisplayFormat("HH:mm")
        hours.addWidget(self.call_start)
        hours.addWidget(QLabel(self.tr("至")))
        hours.addWidget(self.call_end)
        hours.addStretch(1)
        form.addRow(self.tr("允许拨打时段"), hours)

        self.alert_sound = QCheckBox(self.tr("严重违规时发出提示音"))
        self.alert_sound.setChecked(prefs.alert_sound)
        form.addRow(self.tr("提醒声音"), self.alert_sound)
        self.alert_volume = QSlider(Qt.Orientation.Horizontal)
        self.alert_volume.setRange(0, 100)
        self.alert_volume.setValue(prefs.alert_volume)
        self.alert_volume.setToolTip(self.tr("提示音在耳机里的音量"))
        self.alert_volume.setEnabled(prefs.alert_sound)
        self.alert_sound.toggled.connect(self.alert_volume.setEnabled)
        form.addRow(self.tr("提示音音量"), self.alert_volume)
        self.font_size = QSpinBox()
        self.font_size.setRange(FONT_MIN, FONT_MAX)
        self.font_size.setValue(prefs.font_size)
        self.font_size.setSuffix(self.tr(" 像素"))
        form.addRow(self.tr("字号"), self.font_size)
        self.high_contrast = QCheckBox(self.tr("高对比度（黑底白字）"))
        self.high_contrast.setChecked(prefs.high_contrast)
        form.addRow(self.tr("显示"), self.high_contrast)
        self.always_on_top = QCheckBox(self.tr("窗口始终置顶"))
        self.always_on_top.setChecked(prefs.always_on_top)
        form.addRow("", self.always_on_top)

        self.keep_audio = QCheckBox(self.tr("保留通话录音"))
        self.keep_audio.setChecked(prefs.keep_audio)
        self.retention = QSpinBox()
        self.retention.setRange(1, 3650)
        self.retention.setValue(prefs.audio_retention_days)
        self.retention.setSuffix(self.tr(" 天"))
        audio = QHBoxLayout()
        audio.addWidget(self.keep_audio)
        audio.addWidget(QLabel(self.tr("保留")))
        audio.addWidget(self.retention)
        audio.addStretch(1)
        form.addRow(self.tr("录音"), audio)

        self.db_path = QLineEdit(prefs.db_path)
        form.addRow(self.tr("通话记录数据库"), self._with_browse(self.db_path, directory=False))
        where = QLabel(f"配置目录：{paths.config_dir()}\n日志目录：{paths.log_dir()}")
        where.setObjectName("muted")
        where.setWordWrap(True)
        form.addRow(self.tr("数据位置"), where)
        layout.addLayout(form)

        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _with_browse(self, edit: QLineEdit, *, directory: bool) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        button = QPushButton(self.tr("浏览…"))

        def browse():
            if directory:
                chosen = QFileDialog.getExistingDirectory(self, "选择目录", edit.text())
            else:
                chosen, _ = QFileDialog.getSaveFileName(self, "选择数据库文件", edit.text(), "SQLite (*.sqlite3 *.db)")
            if chosen:
                edit.setText(chosen)

        button.clicked.connect(browse)
        row.addWidget(button)
        return box

    def edited_prefs(self) -> AppPrefs:
        picked = self.device.currentText() == self.device.itemText(self.device.currentIndex())
        device = self.device.currentData() if picked else self.device.currentText()
        return replace(
            self.prefs,
            input_device=str(device or ""),
            debtor_source=self.debtor_source.selected(),
            model_dir=self.model_dir.text().strip(),
            call_start=self.call_start.time().toString("HH:mm"),
            call_end=self.call_end.time().toString("HH:mm"),
            alert_sound=self.alert_sound.isChecked(),
            alert_volume=self.alert_volume.value(),
            font_size=self.font_size.value(),
            high_contrast=self.high_contrast.isChecked(),
            always_on_top=self.always_on_top.isChecked(),
            keep_audio=self.keep_audio.isChecked(),
            audio_retention_days=self.retention.value(),
            db_path=self.db_path.text().strip(),
        )

    def accept(self) -> None:
        problems = self.edited_prefs().validate()
        if not self.db_path.text().strip():
            problems.append(self.tr("请填写通话记录数据库的位置"))
        if problems:
            self.error.setText("；".join(problems))
            self.error.show()
            return
        self.prefs = self.edited_prefs()
        super().accept()
