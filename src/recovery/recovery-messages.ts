import type { Catalog } from '../shared/i18n.ts';

export const recoveryMessages: Catalog = {
  'recovery.title': { en: 'Password recovery', ru: 'Восстановление пароля' },
  'recovery.intro': {
    en: 'Enter the email address or login name of your account. We will send a verification code to the email on file.',
    ru: 'Введите адрес почты или имя для входа. Мы отправим код подтверждения на почту аккаунта.',
  },
  'recovery.identifier': { en: 'Email or login name', ru: 'Email или имя для входа' },
  'recovery.continue': { en: 'Continue', ru: 'Продолжить' },
  'recovery.back_to_sign_in': { en: 'Back to sign in', ru: 'Вернуться ко входу' },
  'recovery.sent_to': {
    en: 'If {destination} belongs to an account, we have sent a 6-digit code to its email address.',
    ru: 'Если {destination} относится к аккаунту, мы отправили 6-значный код на его почту.',
  },
  'change.title': { en: 'Change password', ru: 'Смена пароля' },
  'change.intro': {
    en: 'To keep your account safe we first confirm it is you: we will send a 6-digit code to {email}.',
    ru: 'Чтобы защитить аккаунт, сначала подтвердим, что это вы: мы отправим 6-значный код на {email}.',
  },
  'change.send_code': { en: 'Change password', ru: 'Сменить пароль' },
  'change.sent_to': { en: 'We have sent a 6-digit code to {destination}.', ru: 'Мы отправили 6-значный код на {destination}.' },

  'other_ways.email_again': { en: 'Send the code to the email again', ru: 'Отправить код на почту ещё раз' },
  'other_ways.email_again_hint': {
    en: 'A new code replaces the previous one. You can ask for one a minute after the last.',
    ru: 'Новый код заменяет предыдущий. Запросить его можно через минуту после предыдущего.',
  },
  'other_ways.support': {
    en: 'No access to your email? Contact the store’s support team; they will check it is you and help you back in.',
    ru: 'Нет доступа к почте? Напишите в службу поддержки магазина — там проверят, что это вы, и помогут вернуть доступ.',
  },
  'other_ways.back': { en: 'Back to the code', ru: 'Вернуться к вводу кода' },

  'new_password.title': { en: 'Create a new password', ru: 'Придумайте новый пароль' },
  'new_password.password': { en: 'New password', ru: 'Новый пароль' },
  'new_password.confirmation': { en: 'Repeat the new password', ru: 'Повторите новый пароль' },
  'new_password.sign_out_others': { en: 'Sign out of all other devices', ru: 'Выйти на всех других устройствах' },
  'new_password.sign_out_hint': {
    en: 'Recommended if you think someone else knows your old password.',
    ru: 'Рекомендуем, если кто-то мог узнать ваш старый пароль.',
  },
  'new_password.submit': { en: 'Update password', ru: 'Обновить пароль' },

  'done.title': { en: 'Your password has been changed', ru: 'Ваш пароль изменён' },
  'done.recovery_text': {
    en: 'Sign in with your new password. We have also sent a confirmation to your email.',
    ru: 'Войдите с новым паролем. Мы также отправили подтверждение на вашу почту.',
  },
  'done.change_text': {
    en: 'You stay signed in on this device. We have sent a confirmation to your email.',
    ru: 'На этом устройстве вы остаётесь в аккаунте. Мы отправили подтверждение на вашу почту.',
  },
  'done.sign_in': { en: 'Sign in', ru: 'Войти' },
  'done.back_to_account': { en: 'Back to My account', ru: 'Вернуться в мой аккаунт' },
};
