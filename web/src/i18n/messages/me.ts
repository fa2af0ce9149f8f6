// Texts of the me pages.
export default {
  'zh-CN': {},
  'en-US': {},
}
