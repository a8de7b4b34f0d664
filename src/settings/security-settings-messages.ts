import type { Catalog } from '../shared/i18n.ts';

export const securitySettingsMessages: Catalog = {
  'two_step.title': { en: 'Two-step verification', ru: 'Двухэтапная проверка' },
  'two_step.explain': {
    en: 'When it is on, signing in asks for your password and then a code from your authenticator app or a text message.',
    ru: 'Когда она включена, при входе после пароля нужно ввести код из приложения-аутентификатора или из SMS.',
  },
  'two_step.on': { en: 'On', ru: 'Включена' },
  'two_step.off': { en: 'Off', ru: 'Выключена' },
  'two_step.turn_on': { en: 'Turn on two-step verification', ru: 'Включить двухэтапную проверку' },
  'two_step.turn_off': { en: 'Turn off', ru: 'Выключить' },
  'two_step.needs_factor_hint': {
    en: 'Add a phone number or an authenticator app first.',
    ru: 'Сначала добавьте номер телефона или приложение-аутентификатор.',
  },
  'two_step.needs_factor': {
    en: 'Add a phone number or an authenticator app before turning on two-step verification.',
    ru: 'Прежде чем включить двухэтапную проверку, добавьте номер телефона или приложение-аутентификатор.',
  },
  'two_step.not_set': { en: 'Not set up', ru: 'Не настроено' },
  'two_step.phone': { en: 'Phone number', ru: 'Номер телефона' },
  'two_step.texts_off': { en: 'Text messages are not available in this store', ru: 'SMS в этом магазине недоступны' },
  'two_step.phone_add': { en: 'Add phone number', ru: 'Добавить номер' },
  'two_step.phone_change': { en: 'Change', ru: 'Изменить' },
  'two_step.remove': { en: 'Remove', ru: 'Удалить' },
  'two_step.totp': { en: 'Authenticator app', ru: 'Приложение-аутентификатор' },
  'two_step.totp_on': { en: 'Set up', ru: 'Настроено' },
  'two_step.totp_add': { en: 'Set up authenticator app', ru: 'Настроить аутентификатор' },
  'two_step.backup': { en: 'Backup codes', ru: 'Резервные коды' },
  'two_step.backup_left': { en: '{n} of 10 left', ru: 'Осталось {n} из 10' },
  'two_step.backup_none': { en: 'None yet', ru: 'Пока нет' },
  'two_step.backup_new': { en: 'Get new codes', ru: 'Получить новые коды' },
  'two_step.saved_phone': { en: 'Your phone number is confirmed.', ru: 'Номер телефона подтверждён.' },
  'two_step.saved_totp': { en: 'Your authenticator app is set up.', ru: 'Приложение-аутентификатор настроено.' },
  'two_step.saved_on': { en: 'Two-step verification is on.', ru: 'Двухэтапная проверка включена.' },
  'two_step.saved_off': { en: 'Two-step verification is off.', ru: 'Двухэтапная проверка выключена.' },
  'two_step.removed': { en: 'Removed.', ru: 'Удалено.' },

  'reverify.title': { en: 'Confirm it’s you', ru: 'Подтвердите, что это вы' },
  'reverify.lead': {
    en: 'To change how your account is protected, enter your password again.',
    ru: 'Чтобы изменить защиту аккаунта, введите пароль ещё раз.',
  },
  'reverify.password': { en: 'Password', ru: 'Пароль' },
  'reverify.submit': { en: 'Continue', ru: 'Продолжить' },
  'reverify.cancel': { en: 'Cancel', ru: 'Отмена' },
  'reverify.password_missing': { en: 'Enter your password.', ru: 'Введите пароль.' },
  'reverify.password_wrong': { en: 'That password is not right.', ru: 'Неверный пароль.' },

  'phone_setup.title': { en: 'Add a phone number', ru: 'Добавьте номер телефона' },
  'phone_setup.lead': {
    en: 'We’ll text a 6-digit code to confirm the number. It can then receive codes to sign in or recover your account.',
    ru: 'Мы отправим 6-значный код в SMS, чтобы подтвердить номер. На него можно будет получать коды для входа и восстановления.',
  },
  'phone_setup.number': { en: 'Mobile number', ru: 'Номер мобильного телефона' },
  'phone_setup.number_hint': { en: 'With the country code, e.g. +44 7700 900123', ru: 'С кодом страны, например +7 912 345-67-89' },
  'phone_setup.send': { en: 'Text me a code', ru: 'Отправить код' },
  'phone_setup.help_typed': {
    en: 'Check that {phone} is your mobile number; if not, change it and we will text the right one.',
    ru: 'Проверьте, что {phone} — ваш мобильный номер; если нет, измените его, и мы отправим код на верный.',
  },
  'phone_setup.sent_to': { en: 'We have texted a 6-digit code to {phone}.', ru: 'Мы отправили 6-значный код на номер {phone}.' },

  'totp_setup.title': { en: 'Set up an authenticator app', ru: 'Настройка приложения-аутентификатора' },
  'totp_setup.step_scan': {
    en: 'Scan this QR code with an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, Aegis…).',
    ru: 'Отсканируйте QR-код приложением-аутентификатором (Google Authenticator, Microsoft Authenticator, 1Password, Aegis…).',
  },
  'totp_setup.qr_alt': { en: 'QR code to add {store} to your authenticator app', ru: 'QR-код для добавления {store} в приложение-аутентификатор' },
  'totp_setup.cant_scan': { en: 'Can’t scan? Type this key instead (time-based):', ru: 'Не получается отсканировать? Введите ключ вручную (по времени):' },
  'totp_setup.step_code': { en: 'Then enter the 6-digit code the app shows.', ru: 'Затем введите 6-значный код, который покажет приложение.' },
  'totp_setup.code': { en: '6-digit code', ru: '6-значный код' },
  'totp_setup.submit': { en: 'Turn on', ru: 'Включить' },
  'totp_setup.invalid': {
    en: 'That code is not right. Check that the time on your phone is set automatically, and try the newest code.',
    ru: 'Код не подошёл. Проверьте, что время на телефоне устанавливается автоматически, и введите самый новый код.',
  },

  'backup.title': { en: 'Your backup codes', ru: 'Ваши резервные коды' },
  'backup.lead': {
    en: 'Each code works once, if you lose your phone. Save them somewhere safe now: we will not show them again.',
    ru: 'Каждый код срабатывает один раз — если потеряете телефон. Сохраните их в надёжном месте: больше мы их не покажем.',
  },
  'backup.old_void': { en: 'Any codes you had before no longer work.', ru: 'Прежние коды больше не действуют.' },
  'backup.download': { en: 'Download as a text file', ru: 'Скачать текстовым файлом' },
  'backup.done': { en: 'I have saved my codes', ru: 'Я сохранил(а) коды' },
};
