// Words for the other ways to verify, shared by recovery, Change password and two-step sign-in.
import type { Catalog } from '../shared/i18n.ts';

export const factorMessages: Catalog = {
  'ways.title': { en: 'Other ways to verify', ru: 'Другие способы подтверждения' },
  'ways.intro': { en: 'Choose how to confirm it’s you.', ru: 'Выберите, как подтвердить, что это вы.' },
  'ways.intro_factor': {
    en: 'Your account is also protected by an authenticator app or backup codes. Use one of them to finish.',
    ru: 'Аккаунт дополнительно защищён приложением-аутентификатором или резервными кодами. Чтобы продолжить, используйте одно из них.',
  },
  'ways.intro_channel': {
    en: 'Now confirm with a code sent to your email or phone.',
    ru: 'Теперь подтвердите кодом, отправленным на почту или телефон.',
  },
  'ways.sms': { en: 'Text message', ru: 'SMS' },
  'ways.sms_hint_any': { en: 'We’ll text a code to the phone number on the account.', ru: 'Мы отправим код в SMS на номер телефона аккаунта.' },
  'ways.sms_hint_to': { en: 'We’ll text a code to {phone}.', ru: 'Мы отправим код в SMS на номер {phone}.' },
  'ways.sms_send': { en: 'Text me a code', ru: 'Отправить код в SMS' },
  'ways.totp': { en: 'Authenticator app', ru: 'Приложение-аутентификатор' },
  'ways.totp_hint': { en: 'Enter the 6-digit code your authenticator app shows.', ru: 'Введите 6-значный код из приложения-аутентификатора.' },
  'ways.totp_use': { en: 'Use the authenticator app', ru: 'Использовать аутентификатор' },
  'ways.backup': { en: 'Backup code', ru: 'Резервный код' },
  'ways.backup_hint': { en: 'One of the single-use codes you saved when you set up two-step verification.', ru: 'Один из одноразовых кодов, которые вы сохранили при настройке двухэтапной проверки.' },
  'ways.backup_hint_left': { en: 'You have {n} unused backup codes.', ru: 'Неиспользованных резервных кодов: {n}.' },
  'ways.backup_use': { en: 'Use a backup code', ru: 'Ввести резервный код' },
  'ways.email': { en: 'Email', ru: 'Почта' },
  'ways.back': { en: 'Back', ru: 'Назад' },
  'ways.seconds': { en: '{s} s', ru: '{s} с' },

  'sms_page.sent_any': {
    en: 'If the account has a phone number, we have texted a 6-digit code to it.',
    ru: 'Если к аккаунту привязан номер телефона, мы отправили на него 6-значный код.',
  },
  'sms_page.sent_to': { en: 'We have texted a 6-digit code to {phone}.', ru: 'Мы отправили 6-значный код в SMS на номер {phone}.' },
  'sms_page.get_code': { en: 'Text me a new code', ru: 'Отправить новый код' },
  'sms_page.help_signal': {
    en: 'Texts can take a minute or two; check that your phone has a signal and is not blocking short numbers.',
    ru: 'SMS может идти минуту-другую; проверьте, что телефон в сети и не блокирует сообщения с коротких номеров.',
  },
  'sms_page.help_number': {
    en: 'The code goes to the number confirmed in My account → Security. Changed your number? Use another way.',
    ru: 'Код приходит на номер, подтверждённый в разделе «Мой аккаунт → Безопасность». Сменили номер? Выберите другой способ.',
  },
  'factor.used_up': {
    en: 'Too many wrong codes here. Choose another way to verify, or start again.',
    ru: 'Слишком много неверных кодов. Выберите другой способ подтверждения или начните заново.',
  },

  'totp_page.title': { en: 'Enter the code from your authenticator app', ru: 'Введите код из приложения-аутентификатора' },
  'totp_page.lead': {
    en: 'Open the authenticator app on your phone and enter the 6-digit code shown for {store}.',
    ru: 'Откройте приложение-аутентификатор на телефоне и введите 6-значный код для {store}.',
  },
  'totp_page.code_label': { en: '6-digit code', ru: '6-значный код' },
  'backup_page.title': { en: 'Enter a backup code', ru: 'Введите резервный код' },
  'backup_page.lead': {
    en: 'Each backup code works once. After you use this one, cross it off your list.',
    ru: 'Каждый резервный код действует один раз. Использованный код вычеркните из списка.',
  },
  'backup_page.code_label': { en: 'Backup code', ru: 'Резервный код' },
  'factor_page.step_two': { en: 'Almost done: one more check', ru: 'Почти готово: ещё одна проверка' },
  'factor_page.confirm': { en: 'Confirm', ru: 'Подтвердить' },
  'factor_page.channel_done': {
    en: 'Code accepted. Your account also has two-step protection, so one more check.',
    ru: 'Код принят. У аккаунта включена дополнительная защита, поэтому нужна ещё одна проверка.',
  },
  'factor_page.factor_done': {
    en: 'Accepted. Now enter the code we sent to your email, or choose another way.',
    ru: 'Принято. Теперь введите код, отправленный на почту, или выберите другой способ.',
  },

  'phone.invalid': {
    en: 'Enter a mobile number with the country code, for example +44 7700 900123.',
    ru: 'Введите номер мобильного телефона с кодом страны, например +7 912 345-67-89.',
  },
  'phone.missing': { en: 'Enter your mobile number.', ru: 'Введите номер мобильного телефона.' },
  'sms.number_limit': {
    en: 'Too many text messages to this number. Try again in {wait}.',
    ru: 'Слишком много SMS на этот номер. Попробуйте через {wait}.',
  },
  'sms.new_numbers_limit': {
    en: 'We have sent too many codes to new phone numbers from here. Try again in {wait}.',
    ru: 'Отсюда отправлено слишком много кодов на новые номера. Попробуйте через {wait}.',
  },
  'sms.unavailable': {
    en: 'This store does not send text messages. Use the authenticator app or a backup code.',
    ru: 'Этот магазин не отправляет SMS. Используйте приложение-аутентификатор или резервный код.',
  },
  'sms.country_limit': {
    en: 'We are sending too many text messages to this country right now. Try again in {wait}, or use another way.',
    ru: 'Сейчас слишком много SMS в эту страну. Попробуйте через {wait} или выберите другой способ.',
  },
};
