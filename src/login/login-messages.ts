import type { Catalog } from '../shared/i18n.ts';

export const loginMessages: Catalog = {
  'login.title': { en: 'Sign in', ru: 'Вход' },
  'login.identifier': { en: 'Email or login name', ru: 'Email или имя для входа' },
  'login.password': { en: 'Password', ru: 'Пароль' },
  'login.submit': { en: 'Sign in', ru: 'Войти' },
  'login.forgot': { en: 'Forgot password?', ru: 'Забыли пароль?' },
  'login.no_account': { en: 'New here?', ru: 'Впервые у нас?' },
  'login.create_account': { en: 'Create account', ru: 'Создать аккаунт' },
  'login.invalid_credentials': {
    en: 'The email, login name or password is not right.',
    ru: 'Неверный email, имя для входа или пароль.',
  },
  'login.missing_fields': { en: 'Enter your email or login name and your password.', ru: 'Введите email или имя для входа и пароль.' },
  'login.throttled': {
    en: 'Too many unsuccessful attempts. Try again in {wait}, or reset your password.',
    ru: 'Слишком много неудачных попыток. Попробуйте снова через {wait} или восстановите пароль.',
  },
  'login.second_factor_required': {
    en: 'This account uses two-step verification: send a code from the authenticator app or a backup code too.',
    ru: 'Для этого аккаунта включена двухэтапная проверка: передайте также код из аутентификатора или резервный код.',
  },
  'login.second_factor_invalid': { en: 'The second-step code is not right.', ru: 'Код второго этапа неверен.' },
  'login.signed_out': { en: 'You have signed out.', ru: 'Вы вышли из аккаунта.' },
  'login.session_ended': { en: 'Your session has ended. Please sign in again.', ru: 'Сеанс завершён. Войдите снова.' },
};
